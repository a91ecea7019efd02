import CLibevent
import Glibc
import Synchronization

/// A libevent `event_base` driven by its own thread.
///
/// Work reaches the loop from any thread through `execute`: tasks go into a mutex-guarded array and the loop is
/// woken once (an `event_active` on a persistent user event) only when the array goes from empty to non-empty,
/// so a burst of completions is drained in one loop iteration.
///
/// Thread-safety invariant (`@unchecked Sendable`): `base`, `wakeEvent`, `readBuffer` and every `loopBound*`
/// property are touched only on the loop thread (or in `init`/`deinit`, when no other thread can see the loop);
/// cross-thread state is in `PthreadLock`/`Atomic`.
public final class EventLoop: @unchecked Sendable {
    /// A human-readable name used for the thread and in logs.
    public let name: String
    /// The event_base; owned by this loop and freed in deinit after every event that uses it.
    let base: OpaquePointer
    private var wakeEvent: OpaquePointer?
    private let queue = PthreadLock<[@Sendable () -> Void]>([])
    private let threadID = Atomic<UInt>(0)
    private let state = PthreadLock<RunState>(.idle)

    /// Size of the per-loop read buffer that every connection on the loop reads into.
    static let readBufferSize = 64 * 1024
    /// Scratch buffer for socket reads, shared by the loop's connections (only used on the loop thread).
    /// Allocated in `init`, deallocated in `deinit`; connections lend it out as a `Span` only during `onRead`.
    let readBuffer: UnsafeMutableBufferPointer<UInt8>
    /// Signal events owned by this loop (loop thread only), with the retained boxes passed to libevent.
    var loopBoundSignalEvents: [(OpaquePointer, Unmanaged<SignalBox>)] = []
    /// Cached libevent common-timeout handles per duration (loop thread only).
    var loopBoundCommonTimeouts: [Duration: UnsafePointer<timeval>] = [:]

    private enum RunState { case idle, running(pthread_t), stopped }

    /// Creates the loop (its thread starts with `start()`).
    public init(name: String = "tandem-loop") throws {
        IOBootstrap.done
        guard let base = event_base_new() else { throw IOError("event_base_new", code: 0) }
        self.name = name
        self.base = base
        self.readBuffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: Self.readBufferSize)
        // Unretained self: the wake event is freed in deinit, so it never outlives the loop.
        let wake = event_new(base, -1, Int16(EV_PERSIST), { _, _, arg in
            guard let arg else { return }
            Unmanaged<EventLoop>.fromOpaque(arg).takeUnretainedValue().drainQueue()
        }, Unmanaged.passUnretained(self).toOpaque())
        guard let wake else {
            event_base_free(base)
            readBuffer.deallocate()
            throw IOError("event_new", code: 0)
        }
        self.wakeEvent = wake
    }

    deinit {
        for (event, box) in loopBoundSignalEvents {
            event_free(event)
            box.release()
        }
        if let wakeEvent { event_free(wakeEvent) }
        event_base_free(base)
        readBuffer.deallocate()
    }

    /// Starts the loop thread. Calling it twice is a no-op.
    public func start() throws {
        try state.withLock { state in
            guard case .idle = state else { return }
            // The thread retains the loop for as long as it runs.
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { arg in
                guard let arg else { return nil }
                let loop = Unmanaged<EventLoop>.fromOpaque(arg).takeRetainedValue()
                loop.run()
                return nil
            }, context)
            if rc != 0 {
                Unmanaged<EventLoop>.fromOpaque(context).release()
                throw IOError("pthread_create", code: rc)
            }
            state = .running(thread)
        }
    }

    private func run() {
        CurrentThread.setName(name)
        threadID.store(UInt(pthread_self()), ordering: .releasing)
        _ = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY)
        drainQueue()
    }

    /// True between `start()` and `stop()`; when false, no thread runs the loop.
    public var isRunning: Bool {
        state.withLock { state in
            if case .running = state { return true }
            return false
        }
    }

    /// True when called on this loop's thread.
    public var inEventLoop: Bool {
        threadID.load(ordering: .acquiring) == UInt(pthread_self())
    }

    /// Runs `task` on the loop thread, soon. Callable from any thread, including the loop itself.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = queue.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.append(task)
            return wasEmpty
        }
        if wasEmpty, let wakeEvent {
            event_active(wakeEvent, Int32(EV_READ), 0)
        }
    }

    private func drainQueue() {
        // Bounded: tasks enqueued while draining wait for the next wake-up (they re-arm it).
        let tasks = queue.withLock { queue in
            let tasks = queue
            queue.removeAll(keepingCapacity: true)
            return tasks
        }
        for task in tasks { task() }
    }

    /// Stops the loop and joins its thread. Call from any thread except the loop's own (there it only breaks).
    /// Pending tasks run once more before the thread exits.
    public func stop() {
        let thread: pthread_t? = state.withLock { state in
            guard case .running(let thread) = state else { return nil }
            state = .stopped
            return thread
        }
        guard let thread else { return }
        execute { [self] in _ = event_base_loopbreak(base) }
        if inEventLoop {
            _ = pthread_detach(thread)
        } else {
            _ = pthread_join(thread, nil)
        }
    }

    /// Runs `task` on the loop and blocks the caller until it finished (runs inline on the loop thread).
    public func executeAndWait<T: Sendable>(_ task: @escaping @Sendable () -> T) -> T {
        if inEventLoop || !isRunning { return task() }
        let done = PthreadLock<T?>(nil)
        let finished = Semaphore()
        execute {
            let value = task()
            done.withLock { $0 = value }
            finished.signal()
        }
        finished.wait()
        guard let value = done.withLock({ $0 }) else { preconditionFailure("executeAndWait task did not run") }
        return value
    }

    /// A libevent common-timeout handle for `duration`: many timers of one duration cost O(1) each.
    /// Loop thread only.
    func commonTimeout(_ duration: Duration) -> UnsafePointer<timeval> {
        if let cached = loopBoundCommonTimeouts[duration] { return cached }
        var tv = duration.timeval
        // libevent owns the returned pointer for the life of the base.
        let handle = event_base_init_common_timeout(base, &tv)
        if let handle {
            loopBoundCommonTimeouts[duration] = handle
            return handle
        }
        // Fallback: a leaked timeval, never freed, so the pointer stays valid for every later event_add (only if libevent refused, e.g. too many distinct durations).
        let leaked = UnsafeMutablePointer<timeval>.allocate(capacity: 1)
        leaked.initialize(to: tv)
        loopBoundCommonTimeouts[duration] = UnsafePointer(leaked)
        return UnsafePointer(leaked)
    }
}

/// A counting semaphore on a pthread mutex/condition pair, for blocking hand-offs in `executeAndWait`.
///
/// `@unchecked Sendable`: the pthread objects are only used through the mutex they guard.
final class Semaphore: @unchecked Sendable {
    // Heap-allocated: pthread objects must not move; allocated once here, destroyed and freed in deinit.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var count = 0

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func signal() {
        pthread_mutex_lock(mutex)
        count += 1
        pthread_cond_signal(cond)
        pthread_mutex_unlock(mutex)
    }

    func wait() {
        pthread_mutex_lock(mutex)
        while count == 0 { pthread_cond_wait(cond, mutex) }
        count -= 1
        pthread_mutex_unlock(mutex)
    }
}
