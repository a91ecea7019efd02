import Logging
import Synchronization
import TandemIO

/// An HTTP/1.1 server on `loopCount` libevent loops.
///
/// One listener on loop 0 accepts and hands each socket round-robin to a loop (memcached style), where the
/// connection then lives for good. Requests on one connection are answered strictly in order.
public final class HTTPServer: Sendable {
    /// The configuration the server was made with.
    public let configuration: HTTPServerConfiguration
    /// The event loops (index 0 also accepts). Empty only if libevent could not create a base.
    public let loops: [EventLoop]
    private let context: HTTPServerContext
    private let loopStates: [HTTPLoopState]
    private let listener = Mutex<TCPListener?>(nil)
    private let nextLoop = Atomic<Int>(0)
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// `onLimit` is called (on a loop thread) each time a limit of `configuration` is hit, for metrics.
    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
                onLimit: @escaping @Sendable (HTTPLimit) -> Void = { _ in }) {
        self.configuration = configuration
        let count = max(1, configuration.loopCount)
        self.loops = (0..<count).compactMap { try? EventLoop(name: "tandem-loop-\($0)") }
        self.loopStates = loops.map { HTTPLoopState(loop: $0) }
        // Keep descriptors in reserve (listener, event fds, model files, logs) so a flood cannot starve them.
        let descriptors = Int(clamping: IOBootstrap.openFileLimit())
        let ceiling = descriptors > 0 ? max(16, descriptors - 128) : configuration.maxConnections
        self.context = HTTPServerContext(configuration: configuration, responder: responder, logger: logger,
                                         maxConnections: max(1, min(configuration.maxConnections, ceiling)),
                                         onLimit: onLimit)
    }

    /// The connection cap in force: `maxConnections`, clamped to the open-file limit minus a reserve.
    public var effectiveMaxConnections: Int { context.maxConnections }

    /// Request body bytes held right now (see `maxBufferedBodyBytes`).
    public var bufferedBodyBytes: Int { context.bufferedBodyBytes.load(ordering: .relaxed) }

    /// Binds, starts the loop threads and returns the bound port.
    public func start() throws -> Int {
        guard !loops.isEmpty, loops.count == max(1, configuration.loopCount) else {
            throw IOError("event_base_new", code: 0)
        }
        for loop in loops { try loop.start() }
        let acceptor = try TCPListener(host: configuration.host, port: configuration.port,
                                       backlog: Int32(clamping: configuration.backlog), loop: loops[0]) { [self] fd in
            accepted(fd)
        }
        listener.withLock { $0 = acceptor }
        context.logger.info("listening", metadata: [
            "host": "\(configuration.host)", "port": "\(acceptor.port)", "loops": "\(loops.count)",
        ])
        return acceptor.port
    }

    /// Requests handed to the responder and not answered yet.
    public var inFlightCount: Int { context.inFlight.load(ordering: .relaxed) }

    /// Open client connections.
    public var connectionCount: Int { context.connections.load(ordering: .relaxed) }

    /// Runs on loop 0 for each accepted socket.
    private func accepted(_ fd: Int32) {
        if context.connections.load(ordering: .relaxed) >= context.maxConnections {
            return refuse(fd)
        }
        let index = loops.count == 1 ? 0 : nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count
        let state = loopStates[index]
        context.connections.add(1, ordering: .relaxed)
        if state.loop.inEventLoop {
            adopt(fd, on: state)
        } else {
            state.loop.execute { [self] in adopt(fd, on: state) }
        }
    }

    /// Over `maxConnections`: a 503 and a short lingering close, on loop 0, not counted as a connection.
    private func refuse(_ fd: Int32) {
        let id = RequestID.next()
        context.limitHit(.connections, requestID: id, "\(context.maxConnections) connections open; refused one")
        let connection = TCPConnection(fd: fd, loop: loops[0])
        var response = HTTPResponse.jsonError(
            status: 503, code: "too_many_connections",
            message: "The server has \(context.maxConnections) connections open, its limit; retry shortly",
            requestID: id, extra: [("limit", String(context.maxConnections))])
        response.headers.add("Retry-After", "1")
        let head = HTTPResponseEncoder.encodeHead(response, requestID: id, close: true, keepAlive10: false,
                                                  date: loopStates[0].dateHeader())
        connection.write(head, response.body)
        connection.closeWhenFlushed(linger: min(configuration.lingerTimeout, .milliseconds(250)))
    }

    private func adopt(_ fd: Int32, on state: HTTPLoopState) {
        let connection = TCPConnection(fd: fd, loop: state.loop)
        if state.draining {
            // Counted in accepted(); the handler's close path would uncount it, so do it here.
            connection.close()
            context.connections.subtract(1, ordering: .relaxed)
            return
        }
        let handler = HTTPConnectionHandler(connection: connection, context: context, loopState: state)
        state.handlers[ObjectIdentifier(handler)] = handler
    }

    /// Closes the listener; open connections keep being served.
    public func stopAccepting() {
        let current = listener.withLock { listener in
            let current = listener
            listener = nil
            return current
        }
        current?.close()
    }

    /// Stops accepting, closes idle keep-alive connections, lets in-flight requests finish (their responses carry
    /// `Connection: close`), force-closes whatever is left after `gracePeriod`, then stops and joins the loops.
    public func shutdown(gracePeriod: Duration) async {
        stopAccepting()
        for state in loopStates {
            await onLoop(state.loop) { state.beginDrain() }
        }
        let deadline = ContinuousClock.now + gracePeriod
        while ContinuousClock.now < deadline {
            var busy = 0
            for state in loopStates {
                busy += await onLoop(state.loop) { state.busyCount() }
            }
            if busy == 0 { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        for state in loopStates {
            await onLoop(state.loop) { state.closeAll() }
        }
        for loop in loops { loop.stop() }
        context.logger.info("http server stopped")
        let waiters = stopped.withLock { state in
            state.done = true
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once `shutdown` has finished (at once if it already has). For `main` to park on.
    public func waitUntilShutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = stopped.withLock { state in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Calls `handler` on loop `loop`'s thread when one of `signals` arrives.
    public func watchSignals(_ signals: [Int32], on loop: Int = 0, _ handler: @escaping @Sendable (Int32) -> Void) {
        guard loops.indices.contains(loop) else { return }
        for signal in signals { loops[loop].watchSignal(signal, handler) }
    }

    /// Runs `body` on `loop` and returns its result (inline if the loop is not running).
    private func onLoop<T: Sendable>(_ loop: EventLoop, _ body: @escaping @Sendable () -> T) async -> T {
        guard loop.isRunning else { return body() }
        return await withCheckedContinuation { continuation in
            loop.execute { continuation.resume(returning: body()) }
        }
    }
}
