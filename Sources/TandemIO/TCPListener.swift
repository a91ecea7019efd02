import CLibevent
import Glibc

/// A listening TCP socket whose accept callback runs on one `EventLoop`.
///
/// Binds in `init` (so the caller learns the port and bind errors at once); accepted sockets are
/// non-blocking, close-on-exec and have TCP_NODELAY set before `onAccept` sees them.
///
/// `@unchecked Sendable`: `fd` is immutable; `event` and `onAccept` are only touched on `loop`'s thread
/// (`init` hands registration to the loop; `close()` hops there).
public final class TCPListener: @unchecked Sendable {
    /// The loop whose thread runs `onAccept`.
    public let loop: EventLoop
    /// The bound port (useful when binding port 0).
    public let port: Int
    private let fd: Int32
    private var event: OpaquePointer?
    private var onAccept: ((Int32) -> Void)?
    private var closed = false

    /// Binds `host:port` with SO_REUSEADDR and listens with `backlog`; `onAccept` gets each new fd on `loop`.
    public init(host: String, port: Int, backlog: Int32 = 4096, loop: EventLoop,
                onAccept: @escaping (Int32) -> Void) throws {
        IOBootstrap.done
        self.loop = loop
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        // getaddrinfo's list: read only inside this init, freed by the defer below.
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw IOError("getaddrinfo(\(host))", code: rc)
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError("socket") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = IOError("bind(\(host):\(port))")
            Glibc.close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = IOError("listen")
            Glibc.close(fd)
            throw error
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // withUnsafeMutablePointer: getsockname writes at most `length` bytes into `storage`.
        let boundPort: Int = withUnsafeMutablePointer(to: &storage) { pointer in
            _ = pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            if pointer.pointee.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
        self.fd = fd
        self.port = boundPort
        self.onAccept = onAccept
        loop.execute { [self] in register() }
    }

    deinit {
        if let event { event_free(event) }
        if !closed { Glibc.close(fd) }
    }

    private func register() {
        guard !closed else { return }
        // Unretained self: the event is freed in close()/deinit, so it never outlives the listener.
        event = event_new(loop.base, fd, Int16(EV_READ | EV_PERSIST), { _, _, arg in
            guard let arg else { return }
            Unmanaged<TCPListener>.fromOpaque(arg).takeUnretainedValue().acceptAll()
        }, Unmanaged.passUnretained(self).toOpaque())
        if let event { event_add(event, nil) }
    }

    private func acceptAll() {
        // Bounded batch per wake-up keeps the loop fair to existing connections.
        for _ in 0..<64 {
            // accept + fcntl rather than accept4: accept4 and accept's argument type depend on _GNU_SOURCE,
            // so the call goes through a C shim that compiles either way.
            let client = tandem_accept(fd)
            if client < 0 {
                let code = errno
                if code == EMFILE || code == ENFILE {
                    pauseAccepting(for: .milliseconds(100))
                }
                return
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            _ = setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            onAccept?(client)
        }
    }

    /// Out of descriptors: stop polling the listener briefly instead of spinning on it.
    private func pauseAccepting(for delay: Duration) {
        guard let event else { return }
        event_del(event)
        loop.schedule(after: delay) { [self] in
            if !closed, let event = self.event { event_add(event, nil) }
        }
    }

    /// Stops accepting and closes the socket. Any thread; returns after the socket is closed.
    public func close() {
        loop.executeAndWait { [self] in closeOnLoop() }
    }

    private func closeOnLoop() {
        guard !closed else { return }
        closed = true
        if let event { event_free(event) }
        event = nil
        onAccept = nil
        Glibc.close(fd)
    }
}
