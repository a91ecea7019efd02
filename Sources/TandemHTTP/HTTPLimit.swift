/// A configured bound the HTTP layer enforces. Every hit is reported to the server's limit observer (a metric in
/// TandemServer) and logged with the request id of the response it caused.
public enum HTTPLimit: String, Sendable, CaseIterable {
    /// `maxConnections`: the connection was answered 503 and closed.
    case connections = "max_connections"
    /// `maxHeaderBytes`: 431.
    case headerBytes = "max_header_bytes"
    /// `maxBodyBytes`: 413.
    case bodyBytes = "max_body_bytes"
    /// `requestHeadTimeout` passed with a partial head: 408.
    case headTimeout = "request_head_timeout"
    /// `bodyDeadline` passed before the whole body arrived: 408.
    case bodyDeadline = "body_deadline"
    /// The body arrived slower than `minBodyBytesPerSecond` over a `bodyRateWindow`: 408.
    case bodyRate = "min_body_rate"
    /// Bodies being received or answered already hold `maxBufferedBodyBytes`: 503.
    case bufferedBodyBudget = "buffered_body_budget"
    /// More than `maxUnsentOutputBytes` waited for a client that does not read: reading paused (no error).
    case unsentOutput = "max_unsent_output"
}
