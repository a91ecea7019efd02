import CLibevent
import Glibc
import Synchronization

/// A one-shot timer on an `EventLoop`, cancellable from any thread.
///
/// `cancel()` after the task ran (or twice) is a no-op; a task cancelled before it fires never runs.
public final class ScheduledTask: Sendable {
    private let timer: LoopTimer
    private let loop: EventLoop

    init(timer: LoopTimer, loop: EventLoop) {
        self.timer = timer
        self.loop = loop
    }

    /// Cancels the task. Any thread.
    public func cancel() {
        timer.cancelled.store(true, ordering: .relaxed)
        let timer = self.timer
        loop.execute { timer.disarm() }
    }
}

/// The loop-side state of a scheduled task.
///
/// `@unchecked Sendable`: `event` and `task` are only touched on the loop thread (arm, fire, disarm all run there);
/// `cancelled` is atomic. While armed, libevent holds one retain (`Unmanaged.passRetained`) released on fire/disarm.
final class LoopTimer: @unchecked Sendable {
    let cancelled = Atomic<Bool>(false)
    private var event: OpaquePointer?
    private var task: (@Sendable () -> Void)?

    init(task: @escaping @Sendable () -> Void) {
        self.task = task
    }

    /// Loop thread only.
    func arm(on loop: EventLoop, after delay: Duration) {
        guard !cancelled.load(ordering: .relaxed) else { task = nil; return }
        let context = Unmanaged.passRetained(self)
        guard let event = event_new(loop.base, -1, 0, { _, _, arg in
            guard let arg else { return }
            Unmanaged<LoopTimer>.fromOpaque(arg).takeRetainedValue().fire()
        }, context.toOpaque()) else {
            context.release()
            return
        }
        self.event = event
        var tv = delay.timeval
        if event_add(event, &tv) != 0 {
            event_free(event)
            self.event = nil
            context.release()
        }
    }

    /// Called by libevent on the loop thread (the retain was already taken back by the caller).
    private func fire() {
        if let event { event_free(event) }
        event = nil
        let task = self.task
        self.task = nil
        if !cancelled.load(ordering: .relaxed) { task?() }
    }

    /// Loop thread only: removes the pending event and drops libevent's retain.
    func disarm() {
        guard let event else { task = nil; return }
        event_free(event)
        self.event = nil
        task = nil
        Unmanaged.passUnretained(self).release()
    }
}

/// The closure behind a signal watcher; retained by its loop while the signal event exists.
final class SignalBox {
    let handler: @Sendable (Int32) -> Void
    init(handler: @escaping @Sendable (Int32) -> Void) { self.handler = handler }
}

extension EventLoop {
    /// Runs `task` on this loop after `delay`. Callable from any thread.
    @discardableResult
    public func schedule(after delay: Duration, _ task: @escaping @Sendable () -> Void) -> ScheduledTask {
        let timer = LoopTimer(task: task)
        if inEventLoop {
            timer.arm(on: self, after: delay)
        } else {
            execute { [self] in timer.arm(on: self, after: delay) }
        }
        return ScheduledTask(timer: timer, loop: self)
    }

    /// Calls `handler` on this loop's thread whenever `signal` arrives (e.g. SIGTERM). Any thread.
    /// libevent delivers signals to one base per process: watch all signals on one loop.
    /// Returns once the watch is installed, so a signal sent after this call can no longer take the default action
    /// (which for SIGHUP or SIGUSR2 would end the process).
    public func watchSignal(_ signal: Int32, _ handler: @escaping @Sendable (Int32) -> Void) {
        let install: @Sendable () -> Void = { [self] in
            // Retained for libevent's callback argument; released with the event (loop deinit or failure below).
            let box = Unmanaged.passRetained(SignalBox(handler: handler))
            guard let event = event_new(base, signal, Int16(EV_SIGNAL | EV_PERSIST), { fd, _, arg in
                guard let arg else { return }
                Unmanaged<SignalBox>.fromOpaque(arg).takeUnretainedValue().handler(fd)
            }, box.toOpaque()) else {
                box.release()
                return
            }
            guard event_add(event, nil) == 0 else {
                event_free(event)
                box.release()
                return
            }
            loopBoundSignalEvents.append((event, box))
        }
        executeAndWait(install)
    }
}
