import Foundation

/// A value guarded by a pthread mutex (Foundation's `NSLock`), for state that several threads contend for
/// often: a capture queue filled by every worker, a load many requests wait on.
///
/// `Synchronization.Mutex` is the default elsewhere, but on Linux its contended path parks on a futex inside
/// the prebuilt Synchronization library, which ThreadSanitizer cannot see: under contention it reports the
/// guarded accesses as races (seen in CI on `CaptureWriter`'s queue and `LoadTicket`). ThreadSanitizer
/// intercepts pthread mutexes, so with this lock the sanitizer run checks these places instead of crying
/// wolf. (TandemIO's `PthreadLock` does the same for the event loop; this module does not depend on TandemIO.)
///
/// A contended `lock()` sleeps on a futex, and then the holder's `unlock()` must make a second system call to
/// wake it: with two workers noting each answered request in the experiment ledger, those wakes were 3.6% of
/// the workers' time. So `withLock` first retries `try()` a bounded number of times (the critical sections
/// here are a few hundred nanoseconds), as glibc's adaptive mutexes do, and only then blocks.
///
/// `@unchecked Sendable`: `value` is only read or written between `lock.lock()` and `lock.unlock()`, inside
/// `withLock`, and never escapes it by reference.
public final class SanitizerVisibleLock<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        if !lock.try() { acquireContended() }
        defer { lock.unlock() }
        return try body(&value)
    }

    /// Attempts before blocking: about a microsecond of retrying.
    private static var spins: Int { 100 }

    private func acquireContended() {
        for _ in 0..<Self.spins {
            if lock.try() { return }
        }
        lock.lock()
    }
}
