import Foundation

/// A fixed set of inference threads fed from per-variant lanes.
///
/// Event loops call `submit` (it never blocks beyond a short lock); worker threads pick the next job
/// from the lanes round-robin, skipping a lane that is at its concurrency cap or whose job would take a
/// worker reserved for another lane. Jobs past their deadline or whose client disconnected are dropped
/// without running.
public final class WorkerPool: @unchecked Sendable {
    // @unchecked Sendable: `lanes`, `state`, `cursor` and `idle` are guarded by `condition`; threads are
    // started once in `start` and joined (through `finished`) in `shutdown`. The pool keeps no reference to
    // its threads: each thread holds the pool while it runs and lets go when it exits, so a shut-down pool
    // is freed (a stored thread list made a pool -> thread -> block -> pool cycle that leaked).

    /// Why a job did not run.
    public enum DropReason: Sendable, Equatable {
        case deadlineExceeded
        case clientGone
        case shuttingDown
    }

    /// What `submit` did with a job.
    public enum Admission: Sendable, Equatable {
        case accepted
        /// The lane's queue is at its bound: answer 503 at once.
        case queueFull
        /// The pool is stopping.
        case stopped
    }

    private enum State {
        case idle
        case running
        case stopping
        case stopped
    }

    /// The number of worker threads.
    public let workerCount: Int
    private let condition = NSCondition()
    private var lanes: [WorkerLane] = []
    private var state = State.idle
    private var cursor = 0
    private var idle = 0
    private let finished = DispatchGroup()

    /// Runs first on every worker thread with its name (the server names the thread for the kernel and
    /// lowers its scheduling priority there).
    private let onWorkerStart: (@Sendable (String) -> Void)?

    /// A pool of `workers` threads; `onWorkerStart` runs on each thread before it takes work.
    public init(workers: Int, onWorkerStart: (@Sendable (String) -> Void)? = nil) {
        self.workerCount = max(1, workers)
        self.onWorkerStart = onWorkerStart
    }

    /// Starts the worker threads.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard case .idle = state else { return }
        state = .running
        for index in 0..<workerCount {
            finished.enter()
            let name = "tandem-worker-\(index)"
            let thread = Thread { [self] in
                self.onWorkerStart?(name)
                self.workerLoop()
                self.finished.leave()
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Replaces the set of lanes of `group` (the served endpoint's by default; each multi-model endpoint model
    /// has its own). Lanes of the group left out finish the jobs already queued on them, then vanish; other
    /// groups' lanes are untouched.
    public func setLanes(_ newLanes: [WorkerLane], group: String = "") {
        condition.lock()
        for lane in lanes where lane.group == group && !newLanes.contains(where: { $0 === lane }) { lane.retired = true }
        let others = lanes.filter { $0.group != group && !$0.retired }
        let retiring = lanes.filter { $0.retired && (!$0.queue.isEmpty || $0.running > 0) }
        lanes = newLanes + others + retiring
        cursor = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Updates a lane's bounds in place.
    public func configure(_ lane: WorkerLane, capacity: Int, maxConcurrency: Int, reserved: Int) {
        condition.lock()
        lane.capacity = max(1, capacity)
        lane.maxConcurrency = max(1, maxConcurrency)
        lane.reserved = max(0, reserved)
        condition.broadcast()
        condition.unlock()
    }

    /// Queues a job on `lane` unless its queue is full. Never blocks on inference.
    public func submit(
        to lane: WorkerLane, deadline: ContinuousClock.Instant,
        isCancelled: @escaping @Sendable () -> Bool = { false },
        drop: @escaping @Sendable (DropReason) -> Void,
        run: @escaping @Sendable (Duration) -> Void
    ) -> Admission {
        let job = WorkerJob(enqueuedAt: .now, deadline: deadline, run: run, drop: drop, isCancelled: isCancelled)
        condition.lock()
        guard case .running = state else {
            condition.unlock()
            return .stopped
        }
        guard lane.queue.count < lane.capacity else {
            condition.unlock()
            return .queueFull
        }
        lane.queue.append(job)
        // A request still holding an older endpoint snapshot may submit to a lane that a reload retired and
        // that already drained and left the pool: bring it back as retiring, so its job runs (and the lane
        // leaves again once drained) instead of waiting in a queue no worker reads until its deadline.
        if lane.retired, !lanes.contains(where: { $0 === lane }) { lanes.append(lane) }
        if idle > 0 { condition.signal() }
        condition.unlock()
        return .accepted
    }

    /// Jobs queued and running on a lane.
    public func depth(of lane: WorkerLane) -> (queued: Int, running: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (lane.queue.count, lane.running)
    }

    /// Total jobs queued or running on all lanes.
    public var outstanding: Int {
        condition.lock()
        defer { condition.unlock() }
        return lanes.reduce(0) { $0 + $1.queue.count + $1.running }
    }

    /// True while every worker thread is alive and taking work.
    public var isHealthy: Bool {
        condition.lock()
        defer { condition.unlock() }
        if case .running = state { return true }
        return false
    }

    /// Drops every queued (not yet running) job with `.shuttingDown`, so its client gets an answer
    /// before connections close. Running jobs are not affected.
    public func dropQueued() {
        condition.lock()
        var dropped: [WorkerJob] = []
        for lane in lanes {
            dropped.append(contentsOf: lane.queue)
            lane.queue.removeAll()
        }
        condition.unlock()
        for job in dropped { job.drop(.shuttingDown) }
    }

    /// Stops taking jobs, lets queued and running jobs finish until `deadline`, then drops the jobs still
    /// queued and joins the threads: it returns once every worker has left its loop, or `joinGrace` after
    /// the deadline when a model call is still running then (a thread cannot be interrupted mid-call).
    /// Returns whether every worker was joined.
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant, joinGrace: Duration = .seconds(2)) -> Bool {
        condition.lock()
        guard case .running = state else {
            condition.unlock()
            return true
        }
        state = .stopping
        condition.broadcast()
        condition.unlock()
        if finished.wait(timeout: .now() + max(0, (deadline - .now).seconds)) == .success { return stopped(true) }
        dropQueued()
        condition.lock()
        state = .stopped
        condition.broadcast()
        condition.unlock()
        return stopped(finished.wait(timeout: .now() + max(0, (deadline + joinGrace - .now).seconds)) == .success)
    }

    private func stopped(_ joined: Bool) -> Bool {
        condition.lock()
        state = .stopped
        condition.unlock()
        return joined
    }

    // MARK: - Worker side

    private func workerLoop() {
        condition.lock()
        while true {
            if let (lane, job) = nextJob() {
                lane.running += 1
                // Pass the baton: wake an idle worker only when work is left for it. (Waking one after every
                // job, work or not, cost a futex wake and two context switches per request under load.)
                if idle > 0, lanes.contains(where: { !$0.queue.isEmpty }) { condition.signal() }
                condition.unlock()
                execute(job)
                condition.lock()
                lane.running -= 1
                if lane.retired && lane.queue.isEmpty && lane.running == 0 {
                    lanes.removeAll { $0 === lane }
                }
                // A job held back by a cap or a reservation that this one's end freed is picked up by this
                // worker's next `nextJob()` (eligibility does not depend on which worker asks).
                continue
            }
            if case .stopping = state, lanes.allSatisfy({ $0.queue.isEmpty }) { break }
            if case .stopped = state { break }
            idle += 1
            condition.wait()
            idle -= 1
        }
        condition.unlock()
    }

    private func execute(_ job: WorkerJob) {
        let now = ContinuousClock.now
        if now >= job.deadline {
            job.drop(.deadlineExceeded)
        } else if job.isCancelled() {
            job.drop(.clientGone)
        } else {
            job.run(now - job.enqueuedAt)
        }
    }

    /// Picks the next job; call with the lock held.
    private func nextJob() -> (WorkerLane, WorkerJob)? {
        let count = lanes.count
        guard count > 0 else { return nil }
        let busy = lanes.reduce(0) { $0 + $1.running }
        let free = workerCount - busy
        for step in 0..<count {
            let lane = lanes[(cursor + step) % count]
            guard !lane.queue.isEmpty, lane.running < lane.maxConcurrency else { continue }
            // Workers other lanes are still owed from their reservation. A lane without a reservation of its own
            // (a shadow) may use a worker reserved for a lane that has nothing queued: reservations keep production
            // variants from starving each other, and must not keep shadows from ever running when there are
            // exactly as many workers as production variants. Shadows are capped below all workers
            // (`maxConcurrency`), so production keeps workers of its own.
            var owed = 0
            for other in lanes where other !== lane && !other.retired {
                if lane.reserved == 0 && other.queue.isEmpty { continue }
                owed += max(0, min(other.reserved, other.maxConcurrency) - other.running)
            }
            guard free - 1 >= owed || lane.running < lane.reserved else { continue }
            cursor = (cursor + step + 1) % count
            guard let job = lane.queue.popFirst() else { continue }
            return (lane, job)
        }
        return nil
    }
}
