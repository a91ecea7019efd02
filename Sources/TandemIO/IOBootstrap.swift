import CLibevent
import Glibc

/// One-time process setup for TandemIO: libevent threading, SIGPIPE, and the open-file limit.
///
/// Runs lazily (Swift globals initialise once, thread-safely) before the first event base is created.
public enum IOBootstrap {
    /// Touch this to make sure the process is set up; cheap after the first time.
    static let done: Void = {
        // libevent must be told about pthreads before any event_base exists, so that
        // event_active/event_add from other threads are locked.
        _ = evthread_use_pthreads()
        // Writes use MSG_NOSIGNAL, but ignore SIGPIPE too so no stray write kills the process.
        _ = signal(SIGPIPE, SIG_IGN)
        raiseOpenFileLimit()
    }()

    /// Raises the RLIMIT_NOFILE soft limit to the hard limit so thousands of idle connections fit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// The current soft open-file limit (for logging, tests and the connection cap).
    public static func openFileLimit() -> UInt64 {
        _ = done
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return UInt64(limit.rlim_cur)
    }
}

/// An error from a system call in TandemIO, carrying errno and the call's name.
public struct IOError: Error, CustomStringConvertible, Sendable {
    /// The failing operation, e.g. "bind".
    public let operation: String
    /// The errno value (0 if not applicable).
    public let code: Int32

    public init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

extension Duration {
    /// The duration as a C timeval (negative durations clamp to zero).
    var timeval: timeval {
        let (seconds, attoseconds) = components
        if seconds < 0 { return Glibc.timeval(tv_sec: 0, tv_usec: 0) }
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
