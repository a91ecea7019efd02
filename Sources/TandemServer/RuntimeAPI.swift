import TandemHTTP
import TandemJSON
import TandemServing

/// Emulates the SageMaker Runtime API's `InvokeEndpoint` (`POST /endpoints/{EndpointName}/invocations`), so
/// client code written for `boto3.client("sagemaker-runtime")` runs unchanged against Tandem by passing
/// `endpoint_url="http://host:8080"`.
///
/// Behind it are the same routing, variants, deadlines and metrics as `/invocations`. What differs is the
/// envelope, shaped as SageMaker's front end presents it to a client:
/// - errors carry `x-amzn-ErrorType` (botocore takes the error code from it) and the Runtime API's members;
/// - an error from the model side (any 4xx/5xx that `/invocations` would return) becomes `ModelError` 424
///   with `OriginalStatusCode` and `OriginalMessage`, as SageMaker reports a container's error;
/// - a wrong endpoint name or unknown target variant is `ValidationError` 400; no model ready is
///   `ServiceUnavailable` 503 (botocore retries it).
/// The `Authorization` (SigV4) header boto3 always sends is ignored. Bodies still answer to Tandem's own
/// payload limit, not SageMaker's 6 MB.
struct RuntimeAPI {
    static let pathPrefix = "/endpoints/"

    /// What a `/endpoints/...` path asks for.
    enum Operation: Equatable {
        case invoke(endpoint: String)
        /// A Runtime API operation Tandem does not emulate (streaming, async).
        case notEmulated(endpoint: String, name: String)
        case unknown
    }

    static func operation(path: String) -> Operation {
        guard path.hasPrefix(pathPrefix) else { return .unknown }
        let parts = path.dropFirst(pathPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return .unknown }
        let endpoint = String(parts[0])
        switch parts[1] {
        case "invocations": return .invoke(endpoint: endpoint)
        case "invocations-response-stream": return .notEmulated(endpoint: endpoint, name: "InvokeEndpointWithResponseStream")
        case "async-invocations": return .notEmulated(endpoint: endpoint, name: "InvokeEndpointAsync")
        default: return .unknown
        }
    }

    /// What a call's endpoint name is checked against.
    enum HostedEndpoint {
        /// Models are still loading.
        case loading
        /// The endpoint config's `endpoint:` name.
        case named(String)
        /// A model directory served without an endpoint config (as SageMaker runs the container): the
        /// endpoint's real name is SageMaker's, unknown here, so any valid name is taken.
        case anyName
    }

    /// Checks the endpoint name against the one this server hosts; nil when the call may go on.
    static func rejectEndpoint(_ name: String, hosted: HostedEndpoint, requestID: String) -> HTTPResponse? {
        guard EndpointConfig.isSageMakerName(name) else {
            return error(
                400, "ValidationError",
                "1 validation error detected: Value '\(name)' at 'endpointName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])* (at most 63 characters)",
                requestID: requestID)
        }
        switch hosted {
        case .loading:
            var response = error(503, "ServiceUnavailable", "endpoint '\(name)' is not in service yet: its models are still loading",
                                 requestID: requestID)
            response.headers.add("Retry-After", "1")
            return response
        case .named(let hostedName) where hostedName != name:
            return error(400, "ValidationError", "Endpoint \(name) not found. This server hosts endpoint '\(hostedName)'.",
                         requestID: requestID)
        case .named, .anyName:
            return nil
        }
    }

    /// What the current endpoint snapshot says about names.
    static func hosted(by endpoint: Endpoint) -> HostedEndpoint {
        guard let config = endpoint.state?.config else { return .loading }
        return config.sourceFile == nil ? .anyName : .named(config.endpointName)
    }

    /// The Runtime API's answer for what the invocation service answered.
    static func translate(_ answer: InvocationResponse, requestID: String) -> HTTPResponse {
        if answer.status < 400 {
            var response = HTTPResponse(status: answer.status, body: answer.body)
            response.headers.add("Content-Type", answer.contentType)
            for (name, value) in answer.headers { response.headers.add(name, value) }
            return response
        }
        let message = answer.errorMessage ?? String(decoding: answer.body, as: UTF8.self)
        var response: HTTPResponse
        switch answer.errorCode {
        case "unknown_variant":
            response = error(400, "ValidationError", message, requestID: requestID)
        case "not_ready", "no_variant_available":
            response = error(503, "ServiceUnavailable", message, requestID: requestID)
        default:
            let original = String(decoding: answer.body, as: UTF8.self)
            let side = answer.status < 500 ? "client" : "server"
            response = error(
                424, "ModelError",
                "Received \(side) error (\(answer.status)) from primary with message \"\(original)\". "
                    + "Request id: \(requestID).",
                requestID: requestID,
                extra: [("OriginalStatusCode", "\(answer.status)"), ("OriginalMessage", ErrorBody.quoted(original))])
        }
        for (name, value) in answer.headers { response.headers.add(name, value) }
        return response
    }

    /// The one JSON error shape (`code`, `message`, `request_id`, members) plus `x-amzn-ErrorType`.
    static func error(_ status: Int, _ type: String, _ message: String, requestID: String,
                      extra: [(String, String)] = []) -> HTTPResponse {
        var response = HTTPResponse(
            status: status, body: ErrorBody.json(code: type, message: message, requestID: requestID, extra: extra))
        response.headers.add("Content-Type", "application/json")
        response.headers.add("x-amzn-ErrorType", type)
        return response
    }
}
