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

    /// The InvokeEndpoint headers SageMaker's front end passes on to the container. Everything else a
    /// client sends (an `X-User-Id`, a tracing header) is stripped there, so the emulation strips it too.
    static let forwardedHeaders = [
        "Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes", "X-Amzn-SageMaker-Target-Variant",
        "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Id", "X-Amzn-SageMaker-Session-Id",
        "X-Amzn-SageMaker-Enable-Explanations", "X-Amzn-SageMaker-Target-Container-Hostname",
    ]

    /// `request` with only the headers SageMaker forwards.
    static func forwarded(_ request: HTTPRequest) -> HTTPRequest {
        var copy = request
        copy.headers = HTTPHeaders(forwardedHeaders.compactMap { name in request.headers[name].map { (name, $0) } })
        return copy
    }

    /// Whether a header named `name` reaches a container behind a real SageMaker endpoint.
    static func isForwarded(_ name: String) -> Bool {
        forwardedHeaders.contains { $0.lowercased() == name.lowercased() }
    }

    /// Refuses, as SageMaker does, parameters this endpoint cannot honour: `TargetModel` (this is not a
    /// multi-model endpoint) and `InferenceComponentName` (it hosts no inference components). nil when
    /// the call may go on.
    static func rejectParameters(_ headers: HTTPHeaders, requestID: String) -> HTTPResponse? {
        if let model = headers["X-Amzn-SageMaker-Target-Model"] {
            return error(
                400, "ValidationError",
                "TargetModel '\(model)' was given, but this endpoint is not a multi-model endpoint: leave TargetModel out "
                    + "(or set TANDEM_MME_MODEL_ROOT to the directory of the models TargetModel names)",
                requestID: requestID)
        }
        if let component = headers["X-Amzn-SageMaker-Inference-Component"] {
            return error(
                400, "ValidationError",
                "Inference component '\(component)' does not exist: this endpoint hosts its models directly, "
                    + "without inference components; leave InferenceComponentName out",
                requestID: requestID)
        }
        return nil
    }

    /// The Runtime API's answer for what the invocation core answered.
    static func response(_ result: InvocationResult, callerAttributes: String? = nil) -> HTTPResponse {
        guard case .failure(let failure) = result.outcome else {
            return SageMakerInvocations.response(result, callerAttributes: callerAttributes)
        }
        let requestID = result.requestID
        var response: HTTPResponse
        switch failure {
        case .unknownVariant, .unknownSession:
            response = error(400, "ValidationError", failure.message, requestID: requestID)
        case .notReady, .noVariantAvailable, .sessionLimit:
            response = error(503, "ServiceUnavailable", failure.message, requestID: requestID)
        default:
            // What the container answered, as SageMaker's front end wraps it.
            let status = SageMakerInvocations.status(of: failure)
            let original = String(decoding: SageMakerInvocations.errorBody(failure, requestID: requestID), as: UTF8.self)
            let side = status < 500 ? "client" : "server"
            response = error(
                424, "ModelError",
                "Received \(side) error (\(status)) from primary with message \"\(original)\". Request id: \(requestID).",
                requestID: requestID,
                extra: [("OriginalStatusCode", "\(status)"), ("OriginalMessage", ErrorBody.quoted(original))])
        }
        if let retry = failure.retryAfter { response.headers.add("Retry-After", "\(retry.components.seconds)") }
        if let route = result.route {
            SageMakerInvocations.addRouteHeaders(route, callerAttributes: callerAttributes, to: &response.headers)
        }
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
