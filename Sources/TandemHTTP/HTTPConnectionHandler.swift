import Logging
import TandemIO

/// HTTP/1.1 on one TCP connection: parses requests, dispatches them one at a time in order, writes responses,
/// enforces limits and timeouts.
///
/// `@unchecked Sendable` (so a `ResponseWriter` can hop back to the loop with it): every property is touched only on
/// `connection.loop`'s thread; `ResponseWriter.send` from other threads goes through `EventLoop.execute`.
final class HTTPConnectionHandler: ResponseSink, StreamSink, @unchecked Sendable {
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
    /// Bytes of the process-wide buffered-body budget this connection holds (for the request being received or
    /// answered).
    private var bodyReserved = 0
    /// When the current body began (its head completed), and how much of it had arrived at the last rate check.
    private var bodyStartedAt: ContinuousClock.Instant = .now
    private var bodyBytesAtLastCheck = 0
    /// True while more than `maxUnsentOutputBytes` wait for the client: no reading, no parsing until it drains.
    private var outputBlocked = false
    /// Set once the connection carries a held response (Server-Sent Events) instead of request/response pairs.
    private var stream: EventStream?

    private enum TimerMode { case none, idle, head, body }

    init(connection: TCPConnection, context: HTTPServerContext, loopState: HTTPLoopState) {
        self.connection = connection
        self.context = context
        self.loopState = loopState
        self.parser = HTTPRequestParser(limits: context.limits)
        // Strong captures: a cycle with the connection that close() breaks by dropping its callbacks.
        connection.onRead = { bytes in self.received(bytes) }
        connection.onClose = { self.connectionClosed() }
        connection.onTimeout = { self.timerFired() }
        connection.onDrained = { self.outputDrained() }
        // First request: the head must arrive within requestHeadTimeout of the accept.
        connection.setTimeout(context.configuration.requestHeadTimeout)
    }

    /// Answering a request or flushing a response (or, while the server drains, in the middle of receiving one).
    var isBusy: Bool {
        guard !closed, stream == nil else { return false }
        // Lingering counts: closing it now would reset the connection and could destroy a response not read yet.
        if current != nil || connection.pendingWriteBytes > 0 || connection.isLingering { return true }
        return loopState.draining && !closing && (parser.hasPartialRequest || parser.isReadingBody || !stash.isEmpty)
    }

    // MARK: Input

    private func received(_ bytes: Span<UInt8>) {
        guard !closing else { return }
        if outputBlocked {
            stash.append(copying: bytes)
            connection.pauseReading()
            return
        }
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
        while offset < bytes.count && current == nil && !closing && !outputBlocked {
            let (event, used) = parser.parse(bytes.extracting(offset...))
            offset += used
            guard reserveBody(for: event) else { return offset }
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

    /// Takes from the buffered-body budget what the request being parsed will hold; on failure answers 503 and
    /// returns false.
    private func reserveBody(for event: HTTPParseEvent) -> Bool {
        let needed: Int
        if case .request(let parsed) = event { needed = parsed.body.count } else { needed = parser.bodyCommitment }
        guard needed > bodyReserved else { return true }
        if context.reserveBodyBytes(needed - bodyReserved) {
            bodyReserved = needed
            return true
        }
        let limit = context.configuration.maxBufferedBodyBytes
        reject(status: 503, code: "server_busy", limit: .bufferedBodyBudget,
               message: "Request bodies being received already hold the server's budget of \(limit) bytes; retry shortly",
               extra: [("limit_bytes", String(limit))], retryAfter: true)
        return false
    }

    private func releaseBody() {
        context.releaseBodyBytes(bodyReserved)
        bodyReserved = 0
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
        releaseBody()
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
        if connection.pendingWriteBytes > context.configuration.maxUnsentOutputBytes {
            // The client is not reading: stop taking requests from it until it has read everything.
            outputBlocked = true
            connection.pauseReading()
            context.limitHit(.unsentOutput, requestID: writer.requestID,
                             "\(connection.pendingWriteBytes) response bytes unsent; reading paused")
            updateTimer()
            return
        }
        if !dispatching {
            connection.resumeReading()
            processStash()
            updateTimer()
        }
    }

    // MARK: Held responses (Server-Sent Events)

    /// Turns the connection into a stream: writes `head` without `Content-Length` (the body ends when the
    /// connection does) and takes no more requests; later input is discarded, EOF closes it.
    func startStream(_ writer: ResponseWriter, _ head: HTTPResponse) -> EventStream? {
        guard !closed, !closing, current === writer, !loopState.draining else { return nil }
        current = nil
        context.inFlight.subtract(1, ordering: .relaxed)
        releaseBody()
        closing = true
        stash = []
        setTimer(.none)
        let opened = EventStream(eventLoop: connection.loop, requestID: writer.requestID, sink: self)
        stream = opened
        let bytes = HTTPResponseEncoder.encodeHead(head, requestID: writer.requestID, close: true, keepAlive10: false,
                                                   date: loopState.dateHeader(), streaming: true)
        connection.write(bytes, writer.isHeadRequest ? [] : head.body)
        if writer.isHeadRequest { streamClose() }
        return opened
    }

    /// Queues `bytes` on the stream; a client that lets more than `maxUnsentOutputBytes` pile up is closed.
    func streamWrite(_ bytes: [UInt8]) {
        guard let stream, !closed else { return }
        let limit = context.configuration.maxUnsentOutputBytes
        if connection.pendingWriteBytes + bytes.count > limit {
            context.limitHit(.unsentOutput, requestID: stream.requestID,
                             "\(connection.pendingWriteBytes) event-stream bytes unsent; stream closed")
            connection.close()
            return
        }
        connection.write(bytes)
    }

    /// Ends the stream once what it sent is flushed.
    func streamClose() {
        guard stream != nil, !closed else { return }
        connection.closeWhenFlushed(linger: min(context.configuration.lingerTimeout, .milliseconds(250)))
    }

    /// Everything queued reached the kernel: a connection paused for unread output resumes.
    private func outputDrained() {
        guard outputBlocked, !closing, !closed else { return }
        outputBlocked = false
        guard current == nil else { return }
        connection.resumeReading()
        processStash()
        updateTimer()
    }

    private func fail(_ error: HTTPParseError) {
        let limit: HTTPLimit? = switch error {
        case .headerTooLarge: .headerBytes
        case .payloadTooLarge: .bodyBytes
        default: nil
        }
        reject(status: error.status, code: error.code, limit: limit, message: error.message, extra: error.extraJSON)
    }

    /// Answers an error that ends the connection (`Connection: close`, lingering close). A limit hit is counted
    /// and logged with the response's request id.
    private func reject(status: Int, code: String, limit: HTTPLimit?, message: String, extra: [(String, String)] = [],
                        retryAfter: Bool = false) {
        let id = RequestID.next()
        if let limit {
            context.limitHit(limit, requestID: id, message)
        } else {
            context.logger.debug("rejecting request", metadata: [
                "request_id": "\(id)", "status": "\(status)", "reason": "\(message)",
            ])
        }
        var response = HTTPResponse.jsonError(status: status, code: code, message: message, requestID: id, extra: extra)
        if retryAfter { response.headers.add("Retry-After", "1") }
        let head = HTTPResponseEncoder.encodeHead(response, requestID: id, close: true, keepAlive10: false,
                                                  date: loopState.dateHeader())
        connection.write(head, response.body)
        closing = true
        stash = []
        releaseBody()
        setTimer(.none)
        connection.closeWhenFlushed(linger: context.configuration.lingerTimeout)
    }

    // MARK: Timers

    private func updateTimer() {
        guard !closing, !closed else { return }
        if current != nil {
            setTimer(.none)
        } else if parser.isReadingBody {
            if timerMode != .body {
                // One check per window, not re-armed by reads: a trickled body cannot keep itself alive.
                bodyStartedAt = .now
                bodyBytesAtLastCheck = parser.bodyBytesReceived
                setTimer(.body)
            }
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
        case .idle: connection.setTimeout(context.configuration.idleTimeout)
        case .body: connection.setTimeout(context.configuration.bodyRateWindow)
        case .head: connection.setTimeout(context.configuration.requestHeadTimeout)
        }
    }

    private func timerFired() {
        guard !closing, !closed else { return connection.close() }
        switch timerMode {
        case .none, .idle:
            connection.close()
        case .head:
            guard parser.hasPartialRequest else { return connection.close() }
            let limit = context.configuration.requestHeadTimeout
            reject(status: 408, code: "request_timeout", limit: .headTimeout,
                   message: "The request head did not arrive within \(limit.secondsText) s")
        case .body:
            checkBodyProgress()
        }
    }

    /// Once per `bodyRateWindow` while a body arrives: 408 past `bodyDeadline` or below the minimum rate.
    private func checkBodyProgress() {
        let configuration = context.configuration
        let received = parser.bodyBytesReceived
        let elapsed = ContinuousClock.now - bodyStartedAt
        if elapsed >= configuration.bodyDeadline {
            return reject(status: 408, code: "request_timeout", limit: .bodyDeadline,
                          message: "The request body did not arrive within \(configuration.bodyDeadline.secondsText) s "
                              + "(\(received) bytes received)")
        }
        let window = configuration.bodyRateWindow
        let minimum = Int((Double(configuration.minBodyBytesPerSecond) * window.secondsValue).rounded(.down))
        if received - bodyBytesAtLastCheck < minimum {
            return reject(status: 408, code: "request_timeout", limit: .bodyRate,
                          message: "The request body arrived slower than \(configuration.minBodyBytesPerSecond) bytes/s "
                              + "(\(received - bodyBytesAtLastCheck) bytes in the last \(window.secondsText) s)")
        }
        bodyBytesAtLastCheck = received
        connection.setTimeout(window)
    }

    // MARK: Closing

    /// Shutdown, politely: a request already received (in the kernel's buffer or the stash) is read and answered
    /// with `Connection: close`; a request still arriving is waited for (up to the grace period); a connection
    /// with nothing is half-closed with a lingering close (FIN, not a reset that would destroy bytes in flight).
    func closeIfIdle() {
        if stream != nil, !closed { return streamClose() }
        guard !closed, !closing else { return }
        if current == nil && !outputBlocked {
            connection.readAvailableNow()
            if !closed && !closing && current == nil { processStash() }
        }
        guard !closed, !closing, current == nil, connection.pendingWriteBytes == 0 else { return }
        if parser.hasPartialRequest || parser.isReadingBody { return }
        closing = true
        stash = []
        setTimer(.none)
        // Short: no response needs protecting here; the linger only absorbs a request racing with the FIN.
        connection.closeWhenFlushed(linger: min(context.configuration.lingerTimeout, .milliseconds(250)))
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
        releaseBody()
        if let stream {
            self.stream = nil
            stream.markClosed()
        }
        loopState.handlers[ObjectIdentifier(self)] = nil
        context.connections.subtract(1, ordering: .relaxed)
    }
}

extension Duration {
    /// Seconds as a Double.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Seconds for messages: "2", "0.5".
    var secondsText: String {
        let value = secondsValue
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
