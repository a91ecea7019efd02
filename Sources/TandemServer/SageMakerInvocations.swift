import Foundation
import TandemHTTP
import TandemJSON
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
        let attributes = headers["X-Amzn-SageMaker-Custom-Attributes"]
        return InvocationRequest(
            requestID: http.id, body: http.body,
            payload: .negotiated(contentType: headers["Content-Type"], accept: headers["Accept"]),
            selection: VariantSelection(
                targetVariant: headers["X-Amzn-SageMaker-Target-Variant"],
                customAttributes: attributes,
                session: session(headers["X-Amzn-SageMaker-Session-Id"], attributes: attributes),
                header: { headers[$0] }),
            receivedAt: http.receivedAt, inferenceID: headers["X-Amzn-SageMaker-Inference-Id"])
    }

    /// SageMaker's `SessionId`: `NEW_SESSION` opens one; an id continues it, and closes it when the
    /// custom attributes carry `session=close` (SageMaker leaves closing to the container; this is Tandem's
    /// way to ask for it).
    static func session(_ header: String?, attributes: String?) -> SessionRequest? {
        guard let id = header?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { return nil }
        if id == "NEW_SESSION" { return .open }
        let closing = VariantSelection(customAttributes: attributes).attribute("session") == "close"
        return closing ? .close(id) : .resume(id)
    }

    /// The HTTP answer for `result`; `callerAttributes` are the request's own custom attributes, which the
    /// answer's `X-Amzn-SageMaker-Custom-Attributes` keeps ahead of Tandem's.
    static func response(_ result: InvocationResult, callerAttributes: String? = nil) -> HTTPResponse {
        var response: HTTPResponse
        switch result.outcome {
        case .success(let answer):
            response = HTTPResponse(status: 200, body: answer.body)
            response.headers.add("Content-Type", answer.mediaType)
        case .failure(let failure):
            response = errorResponse(failure, requestID: result.requestID)
        }
        if let route = result.route { addRouteHeaders(route, callerAttributes: callerAttributes, to: &response.headers) }
        addSessionHeaders(result.session, to: &response.headers)
        return response
    }

    /// `X-Amzn-SageMaker-New-Session-Id: <id>; Expires=<time>` or `X-Amzn-SageMaker-Closed-Session-Id: <id>`.
    static func addSessionHeaders(_ event: SessionEvent?, to headers: inout HTTPHeaders) {
        switch event {
        case .opened(let id, let expires):
            headers.add("X-Amzn-SageMaker-New-Session-Id", "\(id); Expires=\(expires.formatted(.iso8601))")  // YYYY-MM-DDTHH:MM:SSZ
        case .closed(let id):
            headers.add("X-Amzn-SageMaker-Closed-Session-Id", id)
        case nil:
            break
        }
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
        // A payload error may name its own 4xx (413 for a compressed body that inflates past the limit).
        case .badInput(let error): (400..<500).contains(error.status) ? error.status : 400
        case .unknownVariant, .unknownSession, .modelRefusedInput: 400
        case .unsupportedContentType: 415
        case .notAcceptable: 406
        // nginx's "client closed request": nobody reads it, but the access counts and logs do.
        case .clientGone: 499
        case .modelFailed: 500
        case .notReady, .sessionLimit, .noVariantAvailable, .variantFailed, .overloaded, .shuttingDown: 503
        case .deadlineExceeded: 504
        }
    }

    /// Which variant and model answered and how it was chosen. SageMaker passes only CustomAttributes (and
    /// the invoked variant) back to its clients, so the routing facts travel there too.
    static func addRouteHeaders(_ route: ServedRoute, callerAttributes: String? = nil, to headers: inout HTTPHeaders) {
        headers.add("X-Amzn-Invoked-Production-Variant", route.variant)
        headers.add("X-Tandem-Routing", route.rule.rawValue)
        headers.add("X-Tandem-Model", route.model.description)
        headers.add("X-Amzn-SageMaker-Custom-Attributes", customAttributes(route, caller: callerAttributes))
    }

    /// SageMaker's limit on `CustomAttributes`.
    static let customAttributesLimit = 1024

    /// The caller's custom attributes (a trace id, ...) first, then Tandem's routing facts, as many of
    /// them as fit within SageMaker's 1,024 characters (the `X-Tandem-*` headers carry all of them).
    static func customAttributes(_ route: ServedRoute, caller: String?) -> String {
        var text = caller?.trimmingCharacters(in: .whitespaces) ?? ""
        for fact in ["variant=\(route.variant)", "model=\(route.model)", "routing=\(route.rule.rawValue)"] {
            let next = text.isEmpty ? fact : text + "," + fact
            guard next.utf8.count <= customAttributesLimit else { break }
            text = next
        }
        return text
    }

    private static func rawJSON(_ value: FailureDetail.Value) -> String {
        switch value {
        case .int(let number): String(number)
        case .string(let text): ErrorBody.quoted(text)
        case .strings(let list): "[" + list.map(ErrorBody.quoted).joined(separator: ",") + "]"
        }
    }
}
