/// Why an invocation produced no prediction, in the core's terms: no status code, header or wire shape.
///
/// Each front door (the SageMaker contract, the Runtime API emulation, ...) maps a failure to its own
/// answer; `code`, `message` and `details` are what every door shows the client, and `blame` and
/// `retryAfter` are what it needs to choose a status and a retry hint.
public enum InvocationFailure: Error, Sendable, Equatable {
    /// No endpoint snapshot yet: models are loading, or the endpoint failed to start (the reason).
    case notReady(reason: String)
    /// The caller named a production variant that does not exist.
    case unknownVariant(requested: String, available: [String])
    /// The request continues a session that is unknown, closed or expired (or whose variant is gone).
    case unknownSession(id: String)
    /// A new session was asked for while the most sessions are open.
    case sessionLimit(limit: Int)
    /// No production variant can take traffic (every one failed or has no weight); the reasons per variant.
    case noVariantAvailable(reasons: String)
    /// The body cannot be read as model inputs (with the row and column at fault, where one is).
    case badInput(PayloadError)
    /// The body's content type is not one the door reads (the message lists those it does).
    case unsupportedContentType(message: String)
    /// None of the answer types the caller accepts can be produced (the message lists those that can).
    case notAcceptable(message: String)
    /// The routed variant has no loaded model.
    case variantFailed(variant: String, state: String)
    /// The variant's queue is full.
    case overloaded(variant: String, queued: Int)
    /// The server is stopping: the request was refused, or was still queued when the pool stopped.
    case shuttingDown(afterQueueing: Bool)
    /// The variant's deadline passed before an answer, while queued or while the model ran.
    case deadlineExceeded(variant: String, timeout: Duration, whileRunning: Bool)
    /// The client went away before its request ran.
    case clientGone
    /// The model refused this input (an unknown category, a value outside what it takes).
    case modelRefusedInput(code: String, message: String)
    /// The model failed on an input it should have taken: an internal failure.
    case modelFailed(code: String, message: String)

    /// Who is at fault: the caller (fix the request) or the server (retry, or report).
    public enum Blame: Sendable, Equatable {
        case client
        case server
    }

    public var blame: Blame {
        switch self {
        case .unknownVariant, .unknownSession, .badInput, .unsupportedContentType, .notAcceptable, .clientGone, .modelRefusedInput: .client
        case .notReady, .sessionLimit, .noVariantAvailable, .variantFailed, .overloaded, .shuttingDown, .deadlineExceeded, .modelFailed:
            .server
        }
    }

    /// How long a caller should wait before retrying, when retrying can help.
    public var retryAfter: Duration? {
        switch self {
        case .notReady, .overloaded, .sessionLimit: .seconds(1)
        case .noVariantAvailable, .variantFailed: .seconds(5)
        default: nil
        }
    }

    /// Machine-readable code, stable across releases (`bad_cell`, `queue_full`, `deadline_exceeded`, ...).
    public var code: String {
        switch self {
        case .notReady: "not_ready"
        case .unknownVariant: "unknown_variant"
        case .unknownSession: "unknown_session"
        case .sessionLimit: "session_limit"
        case .noVariantAvailable: "no_variant_available"
        case .badInput(let error): error.code
        case .unsupportedContentType: "unsupported_media_type"
        case .notAcceptable: "not_acceptable"
        case .variantFailed: "variant_failed"
        case .overloaded: "queue_full"
        case .shuttingDown: "shutting_down"
        case .deadlineExceeded: "deadline_exceeded"
        case .clientGone: "client_closed"
        case .modelRefusedInput(let code, _), .modelFailed(let code, _): code
        }
    }

    /// A sentence saying what went wrong.
    public var message: String {
        switch self {
        case .notReady(let reason): reason
        case .unknownVariant(let requested, let available):
            "target variant '\(requested)' does not exist; production variants: \(available.joined(separator: ", "))"
        case .unknownSession(let id): "session '\(id)' is unknown, closed or expired; open a new one with NEW_SESSION"
        case .sessionLimit(let limit): "\(limit) sessions are open, the most this server keeps; close some or retry later"
        case .noVariantAvailable(let reasons): "no production variant can take traffic (\(reasons))"
        case .badInput(let error): error.message
        case .unsupportedContentType(let message), .notAcceptable(let message): message
        case .variantFailed(let variant, let state): "variant '\(variant)' cannot serve: \(state)"
        case .overloaded(let variant, let queued): "variant '\(variant)' has \(queued) requests queued; retry later"
        case .shuttingDown(let afterQueueing):
            afterQueueing ? "the server shut down before the request ran" : "the server is shutting down"
        case .deadlineExceeded(let variant, let timeout, let whileRunning):
            "the request's deadline of \(Self.seconds(timeout)) s passed "
                + (whileRunning ? "while the model was running" : "while the request was queued")
                + " on variant '\(variant)'"
        case .clientGone: "the client closed the connection"
        case .modelRefusedInput(_, let message), .modelFailed(_, let message): message
        }
    }

    /// Facts beyond the message, as named values (the row and column of a bad cell, the variants there are).
    public var details: [FailureDetail] {
        switch self {
        case .unknownVariant(_, let available): [FailureDetail("variants", .strings(available))]
        case .badInput(let error):
            [
                error.row.map { FailureDetail("row", .int($0)) },
                error.column.map { FailureDetail("column", .int($0)) },
                error.expected.map { FailureDetail("expected", .string($0)) },
                error.got.map { FailureDetail("got", .string($0)) },
            ].compactMap { $0 }
        default: []
        }
    }

    /// A time out or an internal model failure: counted as a model error in the variant's metrics.
    var isModelError: Bool {
        switch self {
        case .deadlineExceeded, .modelFailed: true
        default: false
        }
    }

    /// Whole milliseconds first, so 0.3 s reads "0.3", not "0.30000000000000004".
    private static func seconds(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(Double(millis) / 1000)"
    }
}

/// One named fact of a failure (`row: 3`, `variants: ["a", "b"]`), rendered by each front door in its shape.
public struct FailureDetail: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case int(Int)
        case string(String)
        case strings([String])
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}
