/// Cancels a scheduled deadline.
public protocol DeadlineHandle: Sendable {
    func cancel()
}

/// Runs a closure after a delay, on the thread that owns the request's connection.
public protocol DeadlineScheduler: Sendable {
    func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> any DeadlineHandle
}
