import CLibevent
import Glibc

/// One accepted TCP socket driven by an `EventLoop`: read callback, buffered writes, one timer, close.
///
/// Create it on its loop's thread; every method and callback runs on that thread.
///
/// Ownership: while open, the connection retains itself (libevent's callbacks get an unretained pointer),
/// so it lives until `close()`; `close()` frees every event before dropping that retain, so no C callback
/// can reach a freed object. `@unchecked Sendable` only so a `Sendable` owner can hop to the loop with it:
/// all mutable state is touched on `loop`'s thread only.
public final class TCPConnection: @unchecked Sendable {
    /// The loop that owns this connection.
    public let loop: EventLoop
    /// The socket descriptor (closed by `close()`).
    public let fd: Int32
    /// Bytes read, borrowed from the loop's read buffer: valid only during the call (`Span` cannot escape it;
    /// copy what must outlive the call).
    public var onRead: ((Span<UInt8>) -> Void)?
    /// The peer closed its side (read returned 0). Default (nil): close the connection.
    public var onEOF: (() -> Void)?
    /// The timer set with `setTimeout` expired. Default (nil): close the connection.
    public var onTimeout: (() -> Void)?
    /// Everything queued by `write` reached the kernel after having had to wait for the socket to drain.
    public var onDrained: (() -> Void)?
    /// Called once when the connection is closed for any reason.
    public var onClose: (() -> Void)?

    /// False once `close()` ran.
    public private(set) var isOpen = true
    /// True while reading is enabled.
    public private(set) var isReading = false

    private var readEvent: OpaquePointer?
    private var writeEvent: OpaquePointer?
    private var timerEvent: OpaquePointer?
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeAfterFlush = false
    private var lingering = false
    private var lingerTimeout: Duration = .seconds(2)
    private var selfRetain: Unmanaged<TCPConnection>?

    /// Wraps an accepted non-blocking socket and starts reading. Loop thread only.
    public init(fd: Int32, loop: EventLoop) {
        self.fd = fd
        self.loop = loop
        // Unretained: the events are freed in close() before the self-retain is dropped (see Ownership above).
        let context = Unmanaged.passUnretained(self).toOpaque()
        readEvent = event_new(loop.base, fd, Int16(EV_READ | EV_PERSIST), { _, _, arg in
            guard let arg else { return }
            Unmanaged<TCPConnection>.fromOpaque(arg).takeUnretainedValue().handleReadable()
        }, context)
        writeEvent = event_new(loop.base, fd, Int16(EV_WRITE | EV_PERSIST), { _, _, arg in
            guard let arg else { return }
            Unmanaged<TCPConnection>.fromOpaque(arg).takeUnretainedValue().handleWritable()
        }, context)
        timerEvent = event_new(loop.base, -1, 0, { _, _, arg in
            guard let arg else { return }
            Unmanaged<TCPConnection>.fromOpaque(arg).takeUnretainedValue().handleTimer()
        }, context)
        selfRetain = Unmanaged.passRetained(self)
        resumeReading()
    }

    deinit {
        // Only reachable after close() (the self-retain holds it otherwise); events are already freed.
        if isOpen { Glibc.close(fd) }
    }

    // MARK: Reading

    /// Stops read callbacks (bytes stay in the kernel buffer; TCP flow control pushes back).
    public func pauseReading() {
        guard isOpen, isReading, let readEvent else { return }
        event_del(readEvent)
        isReading = false
    }

    /// Re-enables read callbacks.
    public func resumeReading() {
        guard isOpen, !isReading, let readEvent else { return }
        event_add(readEvent, nil)
        isReading = true
    }

    /// Reads once now, if bytes are waiting (non-blocking), as if the socket had become readable. For a polite
    /// shutdown: a request already in the kernel's buffer is read and answered instead of reset by close().
    public func readAvailableNow() {
        guard isOpen, !lingering else { return }
        handleReadable()
    }

    private func handleReadable() {
        let capacity = EventLoop.readBufferSize
        let count = Glibc.read(fd, loop.readBuffer.baseAddress, capacity)
        if count > 0 {
            if lingering { return }
            guard let onRead else { return }
            // The one unsafe step on the read path: `readBuffer` is allocated for the loop's lifetime, read() just
            // initialized its first `count` bytes, and nothing writes it again until this call returns (one read
            // at a time, loop thread only); the Span cannot outlive the call.
            let filled = UnsafeBufferPointer(rebasing: loop.readBuffer[0..<count])
            onRead(filled.span)
        } else if count == 0 {
            if lingering || onEOF == nil {
                close()
            } else {
                pauseReading()
                onEOF?()
            }
        } else {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return }
            close()
        }
    }

    // MARK: Writing

    /// True between a flushed `closeWhenFlushed` and the close: the response is out, input is discarded.
    public var isLingering: Bool { isOpen && lingering }

    /// Bytes accepted by `write` but not yet sent to the kernel.
    public var pendingWriteBytes: Int { pending.count - pendingOffset }

    /// Queues `head` then `body` for sending; writes immediately when nothing is queued (one writev).
    public func write(_ head: [UInt8], _ body: [UInt8] = []) {
        guard isOpen, !closeAfterFlush else { return }
        if pendingWriteBytes > 0 {
            pending.append(contentsOf: head)
            pending.append(contentsOf: body)
            return
        }
        let written = Self.writev(fd, head, body)
        if written < 0 {
            let code = errno
            if code != EAGAIN && code != EWOULDBLOCK && code != EINTR {
                close()
                return
            }
        }
        let sent = max(written, 0)
        let total = head.count + body.count
        guard sent < total else { return }
        pending.removeAll(keepingCapacity: true)
        pendingOffset = 0
        if sent < head.count {
            pending.append(contentsOf: head[sent...])
            pending.append(contentsOf: body)
        } else {
            pending.append(contentsOf: body[(sent - head.count)...])
        }
        if let writeEvent { event_add(writeEvent, nil) }
    }

    private static func writev(_ fd: Int32, _ head: [UInt8], _ body: [UInt8]) -> Int {
        // withUnsafeBytes: the iovecs point into the arrays only for the duration of the sendmsg call.
        head.withUnsafeBytes { headBytes in
            body.withUnsafeBytes { bodyBytes in
                var vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress), iov_len: headBytes.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress), iov_len: bodyBytes.count),
                ]
                let count = bodyBytes.isEmpty ? 1 : 2
                return vectors.withUnsafeMutableBufferPointer { iov in
                    var message = msghdr()
                    message.msg_iov = iov.baseAddress
                    message.msg_iovlen = count
                    return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                }
            }
        }
    }

    private func handleWritable() {
        while pendingWriteBytes > 0 {
            // withUnsafeBytes: send reads from the live array range only during the call.
            let written = pending.withUnsafeBytes { bytes in
                send(fd, bytes.baseAddress.map { $0 + pendingOffset }, bytes.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                let code = errno
                if code == EAGAIN || code == EWOULDBLOCK { return }
                if code == EINTR { continue }
                close()
                return
            }
            pendingOffset += written
        }
        pending.removeAll(keepingCapacity: pending.capacity <= 256 * 1024)
        pendingOffset = 0
        if let writeEvent { event_del(writeEvent) }
        if closeAfterFlush { beginLinger() } else { onDrained?() }
    }

    // MARK: Timer

    /// Arms (or re-arms) the connection's single timer; nil disarms it.
    public func setTimeout(_ duration: Duration?) {
        guard isOpen, let timerEvent else { return }
        guard let duration else {
            event_del(timerEvent)
            return
        }
        event_add(timerEvent, loop.commonTimeout(duration))
    }

    private func handleTimer() {
        if lingering || onTimeout == nil {
            close()
        } else {
            onTimeout?()
        }
    }

    // MARK: Closing

    /// Sends what is queued, then half-closes and discards further input until the peer closes or `linger`
    /// passes (so a response is not destroyed by a reset caused by unread request bytes), then closes.
    public func closeWhenFlushed(linger: Duration = .seconds(2)) {
        guard isOpen, !closeAfterFlush else { return }
        closeAfterFlush = true
        lingerTimeout = linger
        if pendingWriteBytes == 0 { beginLinger() }
    }

    private func beginLinger() {
        guard isOpen, !lingering else { return }
        lingering = true
        onRead = nil
        _ = shutdown(fd, Int32(SHUT_WR))
        resumeReading()
        if let timerEvent {
            var tv = lingerTimeout.timeval
            event_add(timerEvent, &tv)
        }
    }

    /// Closes the socket now, dropping anything unsent. Idempotent.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        isReading = false
        for event in [readEvent, writeEvent, timerEvent] {
            if let event { event_free(event) }
        }
        readEvent = nil
        writeEvent = nil
        timerEvent = nil
        Glibc.close(fd)
        pending = []
        let onClose = self.onClose
        self.onClose = nil
        onRead = nil
        onEOF = nil
        onTimeout = nil
        onDrained = nil
        onClose?()
        let retain = selfRetain
        selfRetain = nil
        retain?.release()
    }
}
