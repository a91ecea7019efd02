/// Why a request could not be parsed or accepted; each case maps to one JSON error response.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// Malformed request line, header, framing or chunk: 400.
    case badRequest(String)
    /// The request head exceeds `maxHeaderBytes`: 431.
    case headerTooLarge(limit: Int)
    /// The body exceeds `maxBodyBytes` (declared by Content-Length, or counted while chunked): 413.
    case payloadTooLarge(limit: Int, declared: Int?)
    /// A transfer coding other than chunked: 501.
    case notImplemented(String)

    /// The response status.
    public var status: Int {
        switch self {
        case .badRequest: 400
        case .headerTooLarge: 431
        case .payloadTooLarge: 413
        case .notImplemented: 501
        }
    }

    /// The machine-readable error code used in the JSON body.
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .headerTooLarge: "header_too_large"
        case .payloadTooLarge: "payload_too_large"
        case .notImplemented: "not_implemented"
        }
    }

    /// A human-readable message.
    public var message: String {
        switch self {
        case .badRequest(let detail): "Malformed HTTP request: \(detail)"
        case .headerTooLarge(let limit): "Request header block exceeds \(limit) bytes"
        case .payloadTooLarge(let limit, let declared):
            if let declared { "Request body of \(declared) bytes exceeds the limit of \(limit) bytes" }
            else { "Request body exceeds the limit of \(limit) bytes" }
        case .notImplemented(let detail): detail
        }
    }

    /// Extra raw-JSON members for the error body.
    public var extraJSON: [(String, String)] {
        switch self {
        case .payloadTooLarge(let limit, _): [("limit_bytes", String(limit))]
        case .headerTooLarge(let limit): [("limit_bytes", String(limit))]
        default: []
        }
    }
}
