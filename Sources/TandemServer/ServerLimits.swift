import Foundation
import TandemHTTP
import TandemServing

/// The bounds Tandem holds against careless and hostile clients, from `TANDEM_*` environment variables over
/// safe defaults. docs/reliability.md has the one table of them all (with the SageMaker ones).
public struct ServerLimits: Sendable, Equatable {
    /// `TANDEM_MAX_CONNECTIONS`: open connections; one more gets 503 (clamped to the descriptor limit - 128).
    public var maxConnections = 8192
    /// `TANDEM_MAX_HEADER_BYTES`: request line + header fields; larger gets 431.
    public var maxHeaderBytes = 64 * 1024
    /// `TANDEM_REQUEST_HEAD_TIMEOUT_MS`: a started head must complete within this (408).
    public var requestHeadTimeout: Duration = .seconds(30)
    /// `TANDEM_BODY_DEADLINE_MS`: a body must arrive whole within this of its head (408).
    public var bodyDeadline: Duration = .seconds(60)
    /// `TANDEM_MIN_BODY_BYTES_PER_SECOND`: slower bodies (over one rate window) get 408; 0 turns it off.
    public var minBodyBytesPerSecond = 1024
    /// `TANDEM_BODY_RATE_WINDOW_MS`: how often the body deadline and rate are checked.
    public var bodyRateWindow: Duration = .seconds(5)
    /// `TANDEM_MAX_BUFFERED_BODY_BYTES`: request body bytes held at once, process-wide; past it 503.
    public var maxBufferedBodyBytes = 512 << 20
    /// `TANDEM_MAX_UNSENT_OUTPUT_BYTES`: unread response bytes per connection before it stops reading.
    public var maxUnsentOutputBytes = 1 << 20
    /// `TANDEM_MAX_OUTCOMES_PER_REQUEST`: entries in one `POST /outcomes` (400 past it).
    public var maxOutcomesPerRequest = 10_000
    /// `TANDEM_LEDGER_BUFFER`: experiment ledger rows buffered while its database is slow or gone (dropped
    /// and counted past it; requests are never slowed).
    public var ledgerBuffer = 100_000
    /// `TANDEM_MAX_SESSIONS`: open stateful sessions (a new one past it is 503 `session_limit`).
    public var maxSessions = 100_000
    /// `TANDEM_SESSION_TTL_S`: how long a stateful session lives after it was opened.
    public var sessionLifetime: Duration = .seconds(1200)
    /// `TANDEM_INLINE_BODY_BYTES`: bodies up to this size of admin and outcome requests are decoded on the
    /// event loop; larger ones on a separate queue, so the loop never waits on a big parse.
    public var inlineBodyBytes = 4096
    /// `TANDEM_MALLOC_ARENAS`: glibc malloc arenas (0: glibc's default of 8 per core).
    public var mallocArenas = 2
    /// `TANDEM_MEMORY_TRIM_MS`: how often free heap is handed back to the kernel while no request is in flight
    /// (0: never).
    public var memoryTrimInterval: Duration = .seconds(5)
    /// `TANDEM_MAX_DASHBOARD_STREAMS`: open `/dashboard/events` streams; one more gets 503 `too_many_streams`
    /// (0: no live dashboards).
    public var maxDashboardStreams = 256
    /// `TANDEM_DASHBOARD_HISTORY_S`: seconds of per-variant history the dashboard keeps (48 bytes a second each).
    public var dashboardHistorySeconds = 900

    public init() {}

    /// Applies the `TANDEM_*` variables; throws for values that are not whole numbers in range.
    public mutating func apply(environment env: [String: String]) throws(ConfigError) {
        func int(_ name: String, min: Int) throws(ConfigError) -> Int? {
            try EnvironmentNumber.int(env, name, min: min)
        }
        func milliseconds(_ name: String) throws(ConfigError) -> Duration? {
            try int(name, min: 1).map { .milliseconds($0) }
        }
        if let value = try int("TANDEM_MAX_CONNECTIONS", min: 1) { maxConnections = value }
        if let value = try int("TANDEM_MAX_HEADER_BYTES", min: 256) { maxHeaderBytes = value }
        if let value = try milliseconds("TANDEM_REQUEST_HEAD_TIMEOUT_MS") { requestHeadTimeout = value }
        if let value = try milliseconds("TANDEM_BODY_DEADLINE_MS") { bodyDeadline = value }
        if let value = try int("TANDEM_MIN_BODY_BYTES_PER_SECOND", min: 0) { minBodyBytesPerSecond = value }
        if let value = try milliseconds("TANDEM_BODY_RATE_WINDOW_MS") { bodyRateWindow = value }
        if let value = try int("TANDEM_MAX_BUFFERED_BODY_BYTES", min: 1) { maxBufferedBodyBytes = value }
        if let value = try int("TANDEM_MAX_UNSENT_OUTPUT_BYTES", min: 1) { maxUnsentOutputBytes = value }
        if let value = try int("TANDEM_MAX_OUTCOMES_PER_REQUEST", min: 1) { maxOutcomesPerRequest = value }
        if let value = try int("TANDEM_LEDGER_BUFFER", min: 1) { ledgerBuffer = value }
        if let value = try int("TANDEM_MAX_SESSIONS", min: 1) { maxSessions = value }
        if let value = try int("TANDEM_SESSION_TTL_S", min: 1) { sessionLifetime = .seconds(value) }
        if let value = try int("TANDEM_INLINE_BODY_BYTES", min: 0) { inlineBodyBytes = value }
        if let value = try int("TANDEM_MALLOC_ARENAS", min: 0) { mallocArenas = value }
        if let value = try int("TANDEM_MEMORY_TRIM_MS", min: 0) { memoryTrimInterval = .milliseconds(value) }
        if let value = try int("TANDEM_MAX_DASHBOARD_STREAMS", min: 0) { maxDashboardStreams = value }
        if let value = try int("TANDEM_DASHBOARD_HISTORY_S", min: 1) { dashboardHistorySeconds = min(value, 86_400) }
    }

    /// Copies the HTTP-layer limits into `configuration`.
    func apply(to configuration: inout HTTPServerConfiguration) {
        configuration.maxConnections = maxConnections
        configuration.maxHeaderBytes = maxHeaderBytes
        configuration.requestHeadTimeout = requestHeadTimeout
        configuration.bodyDeadline = bodyDeadline
        configuration.minBodyBytesPerSecond = minBodyBytesPerSecond
        configuration.bodyRateWindow = bodyRateWindow
        configuration.maxBufferedBodyBytes = maxBufferedBodyBytes
        configuration.maxUnsentOutputBytes = maxUnsentOutputBytes
    }
}
