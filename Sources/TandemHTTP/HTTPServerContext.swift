import Logging
import Synchronization
import TandemIO

/// What every connection of one server shares: configuration, responder, logger and counters.
final class HTTPServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let limits: HTTPRequestParser.Limits
    /// Requests handed to the responder and not yet answered (or abandoned by a closed connection).
    let inFlight = Atomic<Int>(0)
    /// Open client connections.
    let connections = Atomic<Int>(0)
    /// Request body bytes reserved by connections (see `HTTPServerConfiguration.maxBufferedBodyBytes`).
    let bufferedBodyBytes = Atomic<Int>(0)
    /// Connections accepted under `maxConnections` (the configured value clamped to the descriptor limit).
    let maxConnections: Int
    private let onLimit: @Sendable (HTTPLimit) -> Void

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
         maxConnections: Int, onLimit: @escaping @Sendable (HTTPLimit) -> Void) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.maxConnections = maxConnections
        self.onLimit = onLimit
        self.limits = HTTPRequestParser.Limits(maxHeaderBytes: configuration.maxHeaderBytes,
                                               maxBodyBytes: configuration.maxBodyBytes)
    }
}

extension HTTPServerContext {
    /// Takes `bytes` from the buffered-body budget; false (nothing taken) if they do not fit.
    func reserveBodyBytes(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = bufferedBodyBytes.load(ordering: .relaxed)
        while true {
            guard current <= configuration.maxBufferedBodyBytes - bytes else { return false }
            let (exchanged, seen) = bufferedBodyBytes.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return true }
            current = seen
        }
    }

    /// Gives back bytes taken with `reserveBodyBytes`.
    func releaseBodyBytes(_ bytes: Int) {
        if bytes > 0 { bufferedBodyBytes.subtract(bytes, ordering: .relaxed) }
    }

    /// A limit was hit: counted by the observer and logged with the id of the request (or response) it concerns.
    func limitHit(_ limit: HTTPLimit, requestID: String, _ detail: String) {
        onLimit(limit)
        logger.notice("limit hit", metadata: ["limit": "\(limit.rawValue)", "request_id": "\(requestID)", "detail": "\(detail)"])
    }
}

/// The connections of one event loop, for draining and forced close at shutdown.
///
/// `@unchecked Sendable`: every property is read and written only on `loop`'s thread.
final class HTTPLoopState: @unchecked Sendable {
    let loop: EventLoop
    var handlers: [ObjectIdentifier: HTTPConnectionHandler] = [:]
    /// Set at shutdown: idle connections are closed and every response carries `Connection: close`.
    var draining = false

    private var dateSecond = -1
    private var dateField: [UInt8] = []

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// The `Date: ...\r\n` header line for now, formatted at most once per second per loop.
    func dateHeader() -> [UInt8] {
        let now = WallClock.secondsSinceEpoch()
        if now != dateSecond {
            dateSecond = now
            dateField = Array("Date: \(HTTPDate.format(epochSeconds: now))\r\n".utf8)
        }
        return dateField
    }

    /// Starts draining: closes connections with no outstanding request.
    func beginDrain() {
        draining = true
        for handler in Array(handlers.values) { handler.closeIfIdle() }
    }

    /// Connections still answering or flushing a response.
    func busyCount() -> Int {
        handlers.values.reduce(0) { $0 + ($1.isBusy ? 1 : 0) }
    }

    /// Closes every connection now.
    func closeAll() {
        for handler in Array(handlers.values) { handler.connection.close() }
    }
}
