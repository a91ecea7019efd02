import TandemHTTP
import TandemServing

/// The SageMaker hosting contract's front door (`POST /invocations`): reads an `HTTPRequest` into the
/// core's `InvocationRequest`, and writes the core's `InvocationResult` as the answer a SageMaker
/// container gives: the negotiated body, the invoked variant and routing facts in `X-Amzn-*` and
/// `X-Tandem-*` headers, and errors as the JSON error shape with their status and `Retry-After`.
enum SageMakerInvocations {
    /// The core's view of an HTTP request: SageMaker's target variant and custom attributes, the
    /// negotiated formats, and any header for a header-keyed sticky route.
    static func request(_ http: HTTPRequest) -> InvocationRequest {
        let headers = http.headers
        return InvocationRequest(
            requestID: http.id, body: http.body,
            payload: .negotiated(contentType: headers["Content-Type"], accept: headers["Accept"]),
            selection: VariantSelection(
                targetVariant: headers["X-Amzn-SageMaker-Target-Variant"],
                customAttributes: headers["X-Amzn-SageMaker-Custom-Attributes"],
                header: { headers[$0] }),
            receivedAt: http.receivedAt)
    }

    /// The HTTP answer for `result`.
    static func response(_ result: InvocationResult) -> HTTPResponse {
        var response: HTTPResponse
        switch result.outcome {
        case .success(let answer):
            response = HTTPResponse(status: 200, body: answer.body)
            response.headers.add("Content-Type", answer.mediaType)
        case .failure(let failure):
            response = errorResponse(failure, requestID: result.requestID)
        }
        if let route = result.route { addRouteHeaders(route, to: &response.headers) }
        return response
    }

    /// The status, JSON error body and retry hint for `failure`, without routing headers.
    static func errorResponse(_ failure: InvocationFailure, requestID: String) -> HTTPResponse {
        var response = HTTPResponse(status: status(of: failure), body: errorBody(failure, requestID: requestID))
        response.headers.add("Content-Type", "application/json")
        if let retry = failure.retryAfter { response.headers.add("Retry-After", "\(retry.components.seconds)") }
        return response
    }

    /// The one JSON error shape: `code`, `message`, `request_id` and the failure's details as members.
    static func errorBody(_ failure: InvocationFailure, requestID: String) -> [UInt8] {
        ErrorBody.json(
            code: failure.code, message: failure.message, requestID: requestID,
            extra: failure.details.map { ($0.name, rawJSON($0.value)) })
    }

    /// The status a SageMaker container answers `failure` with.
    static func status(of failure: InvocationFailure) -> Int {
        switch failure {
        case .badInput, .unknownVariant, .modelRefusedInput: 400
        case .unsupportedContentType: 415
        case .notAcceptable: 406
        // nginx's "client closed request": nobody reads it, but the access counts and logs do.
        case .clientGone: 499
        case .modelFailed: 500
        case .notReady, .noVariantAvailable, .variantFailed, .overloaded, .shuttingDown: 503
        case .deadlineExceeded: 504
        }
    }

    /// Which variant and model answered and how it was chosen. SageMaker passes only CustomAttributes (and
    /// the invoked variant) back to its clients, so the routing facts travel there too.
    static func addRouteHeaders(_ route: ServedRoute, to headers: inout HTTPHeaders) {
        headers.add("X-Amzn-Invoked-Production-Variant", route.variant)
        headers.add("X-Tandem-Routing", route.rule.rawValue)
        headers.add("X-Tandem-Model", route.model.description)
        headers.add(
            "X-Amzn-SageMaker-Custom-Attributes", "variant=\(route.variant),model=\(route.model),routing=\(route.rule.rawValue)")
    }

    private static func rawJSON(_ value: FailureDetail.Value) -> String {
        switch value {
        case .int(let number): String(number)
        case .string(let text): ErrorBody.quoted(text)
        case .strings(let list): "[" + list.map(ErrorBody.quoted).joined(separator: ",") + "]"
        }
    }
}
