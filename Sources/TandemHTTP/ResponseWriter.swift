import Synchronization
import TandemIO

/// Where a `ResponseWriter` delivers its response (the connection handler, or a closure in unit tests).
protocol ResponseSink: AnyObject, Sendable {
    /// Called at most once per writer, on the writer's loop thread (connection) or the sender's thread (closure).
    func complete(_ writer: ResponseWriter, _ response: HTTPResponse)
    /// Writes `head` (no `Content-Length`) and holds the connection for `EventStream.send`; nil when it cannot
    /// (not a socket, already answered, closed, or the server is draining). Loop thread.
    func startStream(_ writer: ResponseWriter, _ head: HTTPResponse) -> EventStream?
}

/// The one-shot reply channel for a request; safe to pass to any thread.
///
/// The first `send` wins; later calls, and calls after the client went away, do nothing.
public final class ResponseWriter: Sendable {
    /// The loop that owns the connection.
    public let eventLoop: EventLoop
    /// The id assigned to the request (also sent as `x-amzn-RequestId`).
    public let requestID: String
    let keepAlive: Bool
    let isHTTP10: Bool
    let isHeadRequest: Bool
    private let sink: any ResponseSink
    private let hopsToLoop: Bool
    private let sent = Atomic<Bool>(false)
    private let open = Atomic<Bool>(true)

    init(eventLoop: EventLoop, handler: HTTPConnectionHandler, requestID: String, keepAlive: Bool, isHTTP10: Bool,
         isHeadRequest: Bool) {
        self.eventLoop = eventLoop
        self.sink = handler
        self.hopsToLoop = true
        self.requestID = requestID
        self.keepAlive = keepAlive
        self.isHTTP10 = isHTTP10
        self.isHeadRequest = isHeadRequest
    }

    /// A writer not tied to any connection, for testing responders without sockets: the first `send` calls
    /// `onResponse` synchronously on the sending thread.
    public init(eventLoop: EventLoop, requestID: String = RequestID.next(),
                onResponse: @escaping @Sendable (HTTPResponse) -> Void) {
        self.eventLoop = eventLoop
        self.sink = ClosureSink(onResponse)
        self.hopsToLoop = false
        self.requestID = requestID
        self.keepAlive = true
        self.isHTTP10 = false
        self.isHeadRequest = false
    }

    /// Sends the response. Any thread; first call wins; no-op if the connection is gone.
    public func send(_ response: HTTPResponse) {
        guard sent.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        guard open.load(ordering: .acquiring) else { return }
        if !hopsToLoop || eventLoop.inEventLoop {
            sink.complete(self, response)
        } else {
            let sink = self.sink
            eventLoop.execute { sink.complete(self, response) }
        }
    }

    /// Answers with `head` and keeps the connection open for more bytes (Server-Sent Events): the returned
    /// stream writes them. Call on `eventLoop` (inside `respond`); nil when the writer cannot stream (already
    /// answered, client gone, server shutting down, or a test writer without a socket) - then answer normally.
    public func startStream(_ head: HTTPResponse) -> EventStream? {
        guard eventLoop.inEventLoop || !hopsToLoop, open.load(ordering: .acquiring) else { return nil }
        guard sent.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return nil
        }
        guard let stream = sink.startStream(self, head) else {
            sent.store(false, ordering: .releasing)
            return nil
        }
        return stream
    }

    /// Whether the client connection is still open. Any thread.
    public var isConnectionOpen: Bool { open.load(ordering: .acquiring) }

    /// Whether `send` was already called.
    public var hasSent: Bool { sent.load(ordering: .acquiring) }

    /// Marks the connection gone (later `send`s are dropped). Called by the connection on close; public so
    /// tests of responders can simulate a client hang-up.
    public func markClosed() { open.store(false, ordering: .releasing) }
}

/// A sink that hands the response to a closure (test writers).
private final class ClosureSink: ResponseSink {
    let onResponse: @Sendable (HTTPResponse) -> Void
    init(_ onResponse: @escaping @Sendable (HTTPResponse) -> Void) { self.onResponse = onResponse }
    func complete(_ writer: ResponseWriter, _ response: HTTPResponse) { onResponse(response) }
    func startStream(_ writer: ResponseWriter, _ head: HTTPResponse) -> EventStream? { nil }
}
