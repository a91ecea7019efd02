import Logging
import TandemIO

/// HTTP/1.1 on one TCP connection: parses requests, dispatches them one at a time in order, writes responses,
/// enforces limits and timeouts.
///
/// `@unchecked Sendable` (so a `ResponseWriter` can hop back to the loop with it): every property is touched only on
/// `connection.loop`'s thread; `ResponseWriter.send` from other threads goes through `EventLoop.execute`.
final class HTTPConnectionHandler: ResponseSink, @unchecked Sendable {
    let connection: TCPConnection
    private let context: HTTPServerContext
    private let loopState: HTTPLoopState
    private var parser: HTTPRequestParser
    /// Bytes received behind an outstanding request (pipelining), not parsed yet.
    private var stash: [UInt8] = []
    /// The request being answered, if any.
    private var current: ResponseWriter?
    /// True while the responder's `respond` call is on the stack (inline answers must not re-enter parsing).
    private var dispatching = false
    /// True once the connection will take no more requests (error, Connection: close, shutdown).
    private var closing = false
    private var closed = false
    private var timerMode: TimerMode = .idle

    private enum TimerMode { case none, idle, head, body }

    init(connection: TCPConnection, context: HTTPServerContext, loopState: HTTPLoopState) {
        self.connection = connection
        self.context = context
        self.loopState = loopState
        self.parser = HTTPRequestParser(limits: context.limits)
        // Strong captures: a cycle with the connection that close() breaks by dropping its callbacks.
        connection.onRead = { bytes in self.received(bytes) }
        connection.onClose = { self.connectionClosed() }
        // First request: the head must arrive within requestHeadTimeout of the accept.
        connection.setTimeout(context.configuration.requestHeadTimeout)
    }

    /// Answering a request or flushing a response.
    var isBusy: Bool {
        !closed && (current != nil || connection.pendingWriteBytes > 0)
    }

    // MARK: Input

    private func received(_ bytes: Span<UInt8>) {
        guard !closing else { return }
        if current != nil || !stash.isEmpty {
            stash.append(copying: bytes)
            if current != nil {
                if stash.count > context.configuration.maxPipelinedBytes { connection.pauseReading() }
            } else {
                processStash()
            }
            return
        }
        let consumed = process(bytes)
        if consumed < bytes.count && !closing {
            stash.append(copying: bytes.extracting(consumed...))
            if stash.count > context.configuration.maxPipelinedBytes { connection.pauseReading() }
        }
        updateTimer()
    }

    private func processStash() {
        guard !stash.isEmpty else { return }
        let pending = stash
        stash = []
        let consumed = process(pending.span)
        if consumed < pending.count && !closing {
            stash = Array(pending[consumed...])
        }
    }

    /// Parses and dispatches until the input is used up, a request is outstanding, or the connection fails.
    /// Returns the number of bytes consumed.
    private func process(_ bytes: Span<UInt8>) -> Int {
        var offset = 0
        while offset < bytes.count && current == nil && !closing {
            let (event, used) = parser.parse(bytes.extracting(offset...))
            offset += used
            switch event {
            case .needMore:
                return offset
            case .continueExpected:
                connection.write(HTTPResponseEncoder.continueBytes)
            case .request(let parsed):
                dispatch(parsed)
            case .error(let error):
                fail(error)
                return offset
            }
        }
        return offset
    }

    private func dispatch(_ parsed: ParsedRequest) {
        let id = RequestID.next()
        let request = HTTPRequest(method: parsed.method, target: parsed.target, versionMinor: parsed.versionMinor,
                                  headers: parsed.headers, body: parsed.body, id: id, receivedAt: .now)
        let writer = ResponseWriter(eventLoop: connection.loop, handler: self, requestID: id,
                                    keepAlive: parsed.keepAlive, isHTTP10: parsed.versionMinor == 0,
                                    isHeadRequest: parsed.method == .head)
        current = writer
        context.inFlight.add(1, ordering: .relaxed)
        setTimer(.none)
        dispatching = true
        context.responder.respond(to: request, writer: writer)
        dispatching = false
    }

    // MARK: Output

    /// Writes `response` for `writer`'s request (loop thread), then continues with buffered requests.
    func complete(_ writer: ResponseWriter, _ response: HTTPResponse) {
        guard !closed, current === writer else { return }
        current = nil
        context.inFlight.subtract(1, ordering: .relaxed)
        let close = !writer.keepAlive || loopState.draining || HTTPResponseEncoder.requestsClose(response)
        let head = HTTPResponseEncoder.encodeHead(response, requestID: writer.requestID, close: close,
                                                  keepAlive10: writer.isHTTP10 && !close, date: loopState.dateHeader())
        let sendBody = !writer.isHeadRequest && HTTPResponseEncoder.allowsBody(response.status)
        connection.write(head, sendBody ? response.body : [])
        if close {
            closing = true
            stash = []
            connection.closeWhenFlushed(linger: context.configuration.lingerTimeout)
            return
        }
        if !dispatching {
            connection.resumeReading()
            processStash()
            updateTimer()
        }
    }

    private func fail(_ error: HTTPParseError) {
        let id = RequestID.next()
        context.logger.debug("rejecting request", metadata: [
            "request_id": "\(id)", "status": "\(error.status)", "reason": "\(error.message)",
        ])
        let response = HTTPResponse.jsonError(status: error.status, code: error.code, message: error.message,
                                              requestID: id, extra: error.extraJSON)
        let head = HTTPResponseEncoder.encodeHead(response, requestID: id, close: true, keepAlive10: false,
                                                  date: loopState.dateHeader())
        connection.write(head, response.body)
        closing = true
        stash = []
        setTimer(.none)
        connection.closeWhenFlushed(linger: context.configuration.lingerTimeout)
    }

    // MARK: Timers

    private func updateTimer() {
        guard !closing, !closed else { return }
        if current != nil {
            setTimer(.none)
        } else if parser.isReadingBody {
            // Re-armed on every read that made progress: a stalled body times out, a slow steady one does not.
            timerMode = .body
            connection.setTimeout(context.configuration.idleTimeout)
        } else if parser.hasPartialRequest {
            setTimer(.head)
        } else {
            setTimer(.idle)
        }
    }

    private func setTimer(_ mode: TimerMode) {
        guard mode != timerMode else { return }
        timerMode = mode
        switch mode {
        case .none: connection.setTimeout(nil)
        case .idle, .body: connection.setTimeout(context.configuration.idleTimeout)
        case .head: connection.setTimeout(context.configuration.requestHeadTimeout)
        }
    }

    // MARK: Closing

    /// Shutdown: closes the connection unless a request is outstanding (that one finishes with Connection: close).
    func closeIfIdle() {
        guard !closed else { return }
        if current == nil && connection.pendingWriteBytes == 0 {
            connection.close()
        }
    }

    private func connectionClosed() {
        closed = true
        closing = true
        if let writer = current {
            writer.markClosed()
            current = nil
            context.inFlight.subtract(1, ordering: .relaxed)
        }
        stash = []
        loopState.handlers[ObjectIdentifier(self)] = nil
        context.connections.subtract(1, ordering: .relaxed)
    }
}
