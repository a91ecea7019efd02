import Synchronization
import TandemIO

/// A response held open after its head, to which the application writes more bytes as things happen
/// (Server-Sent Events). Safe to pass to any thread.
///
/// The connection takes no further requests; it lives on its event loop like an idle keep-alive connection (no
/// thread, no timer) until the client goes away, `close()` is called, the server shuts down, or the client stops
/// reading: a `send` that would leave more than `maxUnsentOutputBytes` unsent closes the stream instead of
/// buffering without bound (counted as `max_unsent_output`).
public final class EventStream: Sendable {
    /// The loop that owns the connection; `send` from it writes at once, from elsewhere it hops there.
    public let eventLoop: EventLoop
    /// The id of the request that opened the stream.
    public let requestID: String
    private let sink: any StreamSink
    private let open = Atomic<Bool>(true)
    private let onClose = Mutex<(@Sendable () -> Void)?>(nil)

    init(eventLoop: EventLoop, requestID: String, sink: any StreamSink) {
        self.eventLoop = eventLoop
        self.requestID = requestID
        self.sink = sink
    }

    /// Whether the client is still connected.
    public var isOpen: Bool { open.load(ordering: .acquiring) }

    /// Called once, on the loop thread, when the stream ends for any reason (immediately if it already has).
    public func whenClosed(_ action: @escaping @Sendable () -> Void) {
        let runNow = onClose.withLock { slot -> Bool in
            guard open.load(ordering: .acquiring) else { return true }
            slot = action
            return false
        }
        if runNow { action() }
    }

    /// Writes `bytes` to the client. Any thread; dropped once the stream is closed.
    public func send(_ bytes: [UInt8]) {
        guard isOpen else { return }
        if eventLoop.inEventLoop {
            sink.streamWrite(bytes)
        } else {
            let sink = self.sink
            eventLoop.execute { sink.streamWrite(bytes) }
        }
    }

    /// Ends the stream (the bytes already sent are flushed first). Any thread.
    public func close() {
        guard isOpen else { return }
        let sink = self.sink
        if eventLoop.inEventLoop { sink.streamClose() } else { eventLoop.execute { sink.streamClose() } }
    }

    /// The connection closed: later sends are dropped and the close action runs (loop thread).
    func markClosed() {
        open.store(false, ordering: .releasing)
        let action = onClose.withLock { slot -> (@Sendable () -> Void)? in
            defer { slot = nil }
            return slot
        }
        action?()
    }
}

/// The connection side of an `EventStream`; both calls on the loop thread.
protocol StreamSink: AnyObject, Sendable {
    func streamWrite(_ bytes: [UInt8])
    func streamClose()
}
