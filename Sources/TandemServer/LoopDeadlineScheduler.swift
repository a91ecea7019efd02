import TandemIO
import TandemServing

/// Arms request deadlines as timers on the request's event loop.
struct LoopDeadlineScheduler: DeadlineScheduler {
    let loop: EventLoop

    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any DeadlineHandle {
        loop.schedule(after: delay, body)
    }
}

extension ScheduledTask: DeadlineHandle {}
