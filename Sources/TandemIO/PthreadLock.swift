import Glibc

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex` on the event-loop hand-off path because ThreadSanitizer understands
/// pthread mutexes (it does not see the futex calls behind `Mutex` on Linux and reports false races), so the
/// loop stays TSan-clean for everyone building on it.
///
/// `@unchecked Sendable`: `value` is only read or written between `pthread_mutex_lock` and `unlock`.
final class PthreadLock<Value>: @unchecked Sendable {
    // Heap-allocated: a pthread mutex must not move; allocated once here, destroyed and freed in deinit.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
