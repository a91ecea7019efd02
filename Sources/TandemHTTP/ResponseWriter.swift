import Synchronization
import TandemIO

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
    private let handler: HTTPConnectionHandler
    private let sent = Atomic<Bool>(false)
    private let open = Atomic<Bool>(true)

    init(eventLoop: EventLoop, handler: HTTPConnectionHandler, requestID: String, keepAlive: Bool, isHTTP10: Bool,
         isHeadRequest: Bool) {
        self.eventLoop = eventLoop
        self.handler = handler
        self.requestID = requestID
        self.keepAlive = keepAlive
        self.isHTTP10 = isHTTP10
        self.isHeadRequest = isHeadRequest
    }

    /// Sends the response. Any thread; first call wins; no-op if the connection is gone.
    public func send(_ response: HTTPResponse) {
        guard sent.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        guard open.load(ordering: .acquiring) else { return }
        if eventLoop.inEventLoop {
            handler.complete(self, response)
        } else {
            let handler = self.handler
            eventLoop.execute { handler.complete(self, response) }
        }
    }

    /// Whether the client connection is still open. Any thread.
    public var isConnectionOpen: Bool { open.load(ordering: .acquiring) }

    /// Whether `send` was already called.
    public var hasSent: Bool { sent.load(ordering: .acquiring) }

    func markClosed() { open.store(false, ordering: .releasing) }
}
