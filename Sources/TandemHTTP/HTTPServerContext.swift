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

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.limits = HTTPRequestParser.Limits(maxHeaderBytes: configuration.maxHeaderBytes,
                                               maxBodyBytes: configuration.maxBodyBytes)
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
