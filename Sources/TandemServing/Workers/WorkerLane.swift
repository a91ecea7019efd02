import DequeModule

/// One variant's admission queue in the worker pool: a bounded FIFO with a concurrency cap and a
/// number of workers reserved for it, so a slow or failing variant cannot starve the others.
///
/// All mutable state is guarded by the owning `WorkerPool`'s lock.
public final class WorkerLane: @unchecked Sendable {
    // @unchecked Sendable: `queue`, `running`, `capacity`, `maxConcurrency` and `reserved` are read and
    // written only while holding `WorkerPool.condition`'s lock; `name` is immutable.

    /// The variant (or other owner) this lane serves, for logs and metrics.
    public let name: String
    /// The endpoint whose lanes this is: "" for the served endpoint, the model's key for a multi-model
    /// endpoint's model. `WorkerPool.setLanes(_:group:)` replaces one group's lanes only.
    public let group: String
    var queue = Deque<WorkerJob>()
    var running = 0
    var capacity: Int
    var maxConcurrency: Int
    var reserved: Int
    var retired = false

    /// Creates a lane holding at most `capacity` queued jobs, running at most `maxConcurrency` at once,
    /// with `reserved` workers kept free for it when other lanes are busy.
    public init(name: String, capacity: Int, maxConcurrency: Int, reserved: Int, group: String = "") {
        self.name = name
        self.group = group
        self.capacity = max(1, capacity)
        self.maxConcurrency = max(1, maxConcurrency)
        self.reserved = max(0, reserved)
    }
}

/// A unit of work queued on a lane.
struct WorkerJob {
    /// When the job was queued (for the queue-wait metric).
    var enqueuedAt: ContinuousClock.Instant
    /// After this instant the job is not started (its request already got 504).
    var deadline: ContinuousClock.Instant
    /// Runs the job on a worker thread; the argument is the time it waited in the queue.
    var run: @Sendable (Duration) -> Void
    /// Called instead of `run` when the job is dropped: deadline passed, client gone, or pool stopping.
    var drop: @Sendable (WorkerPool.DropReason) -> Void
    /// True when the client went away, so running the job is pointless.
    var isCancelled: @Sendable () -> Bool
}
