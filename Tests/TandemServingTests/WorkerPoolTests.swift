import Foundation
import Testing

@testable import TandemServing

/// Records what jobs did, from any thread.
///
/// Guarded by an `NSLock` rather than `Synchronization.Mutex`: the thread sanitizer does not see Mutex's
/// futex-based hand-off on Linux, and reported the worker threads' locked updates here as races.
final class JobLog: Sendable {
    // @unchecked Sendable: `value` is only read or written inside `lock`.
    private final class Locked<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Value
        init(_ value: Value) { self.value = value }
        func withLock<R>(_ body: (inout Value) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
    }

    private let state = Locked<(ran: [String], dropped: [WorkerPool.DropReason], running: [String: Int], peak: [String: Int])>(
        ([], [], [:], [:]))

    func started(_ lane: String) {
        state.withLock { s in
            s.running[lane, default: 0] += 1
            s.peak[lane] = max(s.peak[lane, default: 0], s.running[lane, default: 0])
        }
    }

    func finished(_ lane: String, _ tag: String) {
        state.withLock { s in
            s.running[lane, default: 0] -= 1
            s.ran.append(tag)
        }
    }

    func dropped(_ reason: WorkerPool.DropReason) { state.withLock { $0.dropped.append(reason) } }
    var ran: [String] { state.withLock { $0.ran } }
    var drops: [WorkerPool.DropReason] { state.withLock { $0.dropped } }
    func peak(_ lane: String) -> Int { state.withLock { $0.peak[lane, default: 0] } }
}

/// A gate jobs wait on until the test opens it (polls a counter). Its lock is a `SanitizerVisibleLock`: several
/// workers poll it at once, and a contended `Mutex` parks where ThreadSanitizer cannot see it (it reported the
/// permit count as a race, CI 2026-12-08).
final class Gate: Sendable {
    private let state = SanitizerVisibleLock<(permits: Int, waiting: Int)>((0, 0))

    func wait() {
        state.withLock { $0.waiting += 1 }
        while true {
            let passed = state.withLock { s -> Bool in
                guard s.permits > 0 else { return false }
                s.permits -= 1
                return true
            }
            if passed { return }
            Thread.sleep(forTimeInterval: 0.001)
        }
    }

    func open(_ count: Int) { state.withLock { $0.permits += count } }
    var waiters: Int { state.withLock { $0.waiting } }
}

/// Lanes, concurrency caps, reservations, deadline and client-gone drops, queue bounds and shutdown.
@Suite struct WorkerPoolTests {
    func waitFor(_ condition: () -> Bool, timeout: Double = 5) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return condition()
    }

    func submit(
        _ pool: WorkerPool, _ lane: WorkerLane, _ log: JobLog, tag: String, deadline: Duration = .seconds(10),
        cancelled: Bool = false, work: @escaping @Sendable () -> Void = {}
    ) -> WorkerPool.Admission {
        let name = lane.name
        return pool.submit(
            to: lane, deadline: .now + deadline, isCancelled: { cancelled },
            drop: { log.dropped($0) },
            run: { _ in
                log.started(name)
                work()
                log.finished(name, tag)
            })
    }

    @Test func runsJobsFromEveryLane() {
        let pool = WorkerPool(workers: 2)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let a = WorkerLane(name: "a", capacity: 100, maxConcurrency: 2, reserved: 0)
        let b = WorkerLane(name: "b", capacity: 100, maxConcurrency: 2, reserved: 0)
        pool.setLanes([a, b])
        let log = JobLog()
        for i in 0..<50 {
            #expect(submit(pool, a, log, tag: "a\(i)") == .accepted)
            #expect(submit(pool, b, log, tag: "b\(i)") == .accepted)
        }
        #expect(waitFor { log.ran.count == 100 })
        // Each lane runs its jobs in FIFO order.
        let aOrder = log.ran.filter { $0.hasPrefix("a") }
        #expect(aOrder.count == 50)
        // The last job logs itself before its worker releases the lane: wait for that, do not race it.
        #expect(waitFor { pool.outstanding == 0 })
    }

    /// A multi-model endpoint's models each have a lane group: replacing one group's lanes (a reload of the
    /// served endpoint, a model unloaded) leaves the other groups' lanes serving.
    @Test func replacingOneLaneGroupLeavesTheOthers() {
        let pool = WorkerPool(workers: 2)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let served = WorkerLane(name: "AllTraffic", capacity: 10, maxConcurrency: 2, reserved: 0)
        let model = WorkerLane(name: "AllTraffic", capacity: 10, maxConcurrency: 2, reserved: 0, group: "mme-1")
        pool.setLanes([served])
        pool.setLanes([model], group: "mme-1")
        pool.setLanes([WorkerLane(name: "AllTraffic", capacity: 10, maxConcurrency: 2, reserved: 0)])
        #expect(!model.retired)
        #expect(served.retired)
        let log = JobLog()
        #expect(submit(pool, model, log, tag: "m") == .accepted)
        #expect(waitFor { log.ran == ["m"] })
        pool.setLanes([], group: "mme-1")
        #expect(model.retired)
        #expect(waitFor { pool.outstanding == 0 })
    }

    @Test func concurrencyCapHolds() {
        let pool = WorkerPool(workers: 3)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let capped = WorkerLane(name: "capped", capacity: 100, maxConcurrency: 1, reserved: 0)
        pool.setLanes([capped])
        let log = JobLog()
        for i in 0..<8 {
            _ = submit(pool, capped, log, tag: "\(i)") { Thread.sleep(forTimeInterval: 0.01) }
        }
        #expect(waitFor { log.ran.count == 8 })
        #expect(log.peak("capped") == 1)
        #expect(log.ran == (0..<8).map { "\($0)" })
    }

    @Test func reservedWorkerKeepsOtherLaneServed() {
        let pool = WorkerPool(workers: 2)
        pool.start()
        let slow = WorkerLane(name: "slow", capacity: 100, maxConcurrency: 2, reserved: 1)
        let fast = WorkerLane(name: "fast", capacity: 100, maxConcurrency: 2, reserved: 1)
        pool.setLanes([slow, fast])
        let log = JobLog()
        let gate = Gate()
        for i in 0..<6 {
            _ = submit(pool, slow, log, tag: "slow\(i)") { gate.wait() }
        }
        // Only one worker goes to the slow lane: the other is owed to the fast lane.
        #expect(waitFor { gate.waiters == 1 })
        Thread.sleep(forTimeInterval: 0.05)
        #expect(gate.waiters == 1)
        #expect(pool.depth(of: slow).running == 1)
        #expect(pool.depth(of: slow).queued == 5)
        for i in 0..<5 { _ = submit(pool, fast, log, tag: "fast\(i)") }
        #expect(waitFor { log.ran.filter { $0.hasPrefix("fast") }.count == 5 })
        gate.open(6)
        #expect(waitFor { log.ran.count == 11 })
        pool.shutdown(deadline: .now + .seconds(5))
    }

    /// Two workers, two production lanes with a worker reserved each, and a shadow lane: the shadow's jobs run
    /// on the idle reserved workers (they used to wait for their deadline, so a default two-core server with
    /// two variants never ran a shadow). `reservedWorkerKeepsOtherLaneServed` keeps the production isolation.
    @Test func shadowLaneBorrowsReservedWorkersNobodyIsWaitingFor() {
        let pool = WorkerPool(workers: 2)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let a = WorkerLane(name: "a", capacity: 100, maxConcurrency: 2, reserved: 1)
        let b = WorkerLane(name: "b", capacity: 100, maxConcurrency: 2, reserved: 1)
        let shadow = WorkerLane(name: "shadow", capacity: 100, maxConcurrency: 1, reserved: 0)
        pool.setLanes([a, b, shadow])
        let log = JobLog()
        for i in 0..<3 { #expect(submit(pool, shadow, log, tag: "shadow\(i)") == .accepted) }
        #expect(waitFor { log.ran.count == 3 })
        // With lane a's worker held, the shadow still runs on b's idle one, and b's job runs after it.
        let gate = Gate()
        _ = submit(pool, a, log, tag: "a0") { gate.wait() }
        #expect(waitFor { gate.waiters == 1 })
        _ = submit(pool, shadow, log, tag: "late")
        _ = submit(pool, b, log, tag: "b0")
        #expect(waitFor { log.ran.count == 5 })
        gate.open(1)
        #expect(waitFor { log.ran.count == 6 })
        #expect(waitFor { pool.outstanding == 0 })
    }

    @Test func expiredJobsAreDroppedWithoutRunning() {
        let pool = WorkerPool(workers: 1)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let lane = WorkerLane(name: "lane", capacity: 10, maxConcurrency: 1, reserved: 0)
        pool.setLanes([lane])
        let log = JobLog()
        let gate = Gate()
        _ = submit(pool, lane, log, tag: "blocker") { gate.wait() }
        #expect(waitFor { gate.waiters == 1 })
        // Queued behind the blocker with a deadline that passes while it waits.
        #expect(submit(pool, lane, log, tag: "late", deadline: .milliseconds(20)) == .accepted)
        #expect(submit(pool, lane, log, tag: "gone", cancelled: true) == .accepted)
        Thread.sleep(forTimeInterval: 0.05)
        gate.open(1)
        #expect(waitFor { log.drops.count == 2 })
        #expect(log.drops == [.deadlineExceeded, .clientGone])
        #expect(waitFor { log.ran == ["blocker"] })
    }

    @Test func fullQueueRefusesAtOnce() {
        let pool = WorkerPool(workers: 1)
        pool.start()
        let lane = WorkerLane(name: "lane", capacity: 2, maxConcurrency: 1, reserved: 0)
        pool.setLanes([lane])
        let log = JobLog()
        let gate = Gate()
        #expect(submit(pool, lane, log, tag: "running") { gate.wait() } == .accepted)
        #expect(waitFor { gate.waiters == 1 })
        #expect(submit(pool, lane, log, tag: "q1") == .accepted)
        #expect(submit(pool, lane, log, tag: "q2") == .accepted)
        #expect(submit(pool, lane, log, tag: "q3") == .queueFull)
        #expect(pool.depth(of: lane).queued == 2)
        gate.open(1)
        #expect(waitFor { log.ran.count == 3 })
        #expect(submit(pool, lane, log, tag: "q4") == .accepted)
        #expect(waitFor { log.ran.count == 4 })
        pool.shutdown(deadline: .now + .seconds(5))
    }

    @Test func stoppedPoolRefuses() {
        let idle = WorkerPool(workers: 1)
        let lane = WorkerLane(name: "lane", capacity: 2, maxConcurrency: 1, reserved: 0)
        idle.setLanes([lane])
        let log = JobLog()
        #expect(submit(idle, lane, log, tag: "x") == .stopped)
        let pool = WorkerPool(workers: 1)
        pool.start()
        pool.setLanes([lane])
        pool.shutdown(deadline: .now + .seconds(1))
        #expect(submit(pool, lane, log, tag: "y") == .stopped)
    }

    @Test func shutdownFinishesQueuedJobs() {
        let pool = WorkerPool(workers: 1)
        pool.start()
        let lane = WorkerLane(name: "lane", capacity: 10, maxConcurrency: 1, reserved: 0)
        pool.setLanes([lane])
        let log = JobLog()
        for i in 0..<5 { _ = submit(pool, lane, log, tag: "\(i)") { Thread.sleep(forTimeInterval: 0.005) } }
        pool.shutdown(deadline: .now + .seconds(5))
        #expect(log.ran.count == 5)
        #expect(log.drops.isEmpty)
    }

    @Test func retiredLaneDrainsItsQueue() {
        let pool = WorkerPool(workers: 1)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let old = WorkerLane(name: "old", capacity: 10, maxConcurrency: 1, reserved: 0)
        pool.setLanes([old])
        let log = JobLog()
        let gate = Gate()
        _ = submit(pool, old, log, tag: "old-running") { gate.wait() }
        #expect(waitFor { gate.waiters == 1 })
        _ = submit(pool, old, log, tag: "old-queued")
        let new = WorkerLane(name: "new", capacity: 10, maxConcurrency: 1, reserved: 0)
        pool.setLanes([new])
        _ = submit(pool, new, log, tag: "new")
        gate.open(1)
        #expect(waitFor { log.ran.count == 3 })
        #expect(Set(log.ran) == ["old-running", "old-queued", "new"])
    }
}

@Suite("WorkerPool: a retired lane")
struct RetiredLaneSubmitTests {
    @Test func aJobSubmittedToADrainedRetiredLaneStillRuns() async throws {
        let pool = WorkerPool(workers: 1)
        pool.start()
        defer { pool.shutdown(deadline: .now + .seconds(5)) }
        let old = WorkerLane(name: "a", capacity: 4, maxConcurrency: 1, reserved: 0)
        pool.setLanes([old])
        // A reload replaces the lane; the old one is empty, so it leaves the pool at once.
        pool.setLanes([WorkerLane(name: "a", capacity: 4, maxConcurrency: 1, reserved: 0)])
        // A request that took the old snapshot before the reload submits to the old lane afterwards.
        let ran: Bool = await withCheckedContinuation { continuation in
            let admission = pool.submit(
                to: old, deadline: .now + .seconds(10), drop: { _ in continuation.resume(returning: false) },
                run: { _ in continuation.resume(returning: true) })
            if admission != .accepted { continuation.resume(returning: false) }
        }
        #expect(ran)
    }
}
