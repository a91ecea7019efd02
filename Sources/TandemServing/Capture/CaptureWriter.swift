import Dispatch
import Foundation
import Logging
import Synchronization

/// The one writer of capture records: a bounded queue that the sink fills from any thread, drained in
/// batches by a dedicated thread every `flush_ms` (sooner when the queue is half full).
///
/// Nothing on the invocation path waits for it: `enqueue` takes a lock for an append and returns; a queue at
/// its record or byte bound, a disk above the usage threshold (capture paused) or a failed write drops
/// records, counted by reason in `tandem_capture_dropped_total` and reported in a log line (at most one
/// every 10 s per episode), and the invocation is answered as if capture were off.
final class CaptureWriter: Sendable {
    let settings: CaptureWriterSettings
    /// Filled by every worker at once: a lock ThreadSanitizer can see (see `SanitizerVisibleLock`).
    private let pending = SanitizerVisibleLock(Pending())
    /// Set by the writer while the disk is above the threshold, so records are dropped before they queue.
    private let paused = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let metrics: CaptureMetrics
    private let logger: Logger
    /// Drops since the last log line, by reason (the sink's drops are counted here too, for the log).
    private let unreported = SanitizerVisibleLock<[CaptureDropReason: Int]>([:])

    private struct Pending {
        var events: [CaptureEvent] = []
        var bytes = 0
        var stopping = false
        var signalled = false
    }

    init(settings: CaptureWriterSettings, metrics: CaptureMetrics, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts the writer thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "tandem-capture"
        thread.start()
    }

    /// Queues `event` for writing, or drops and counts it; never blocks beyond a short lock.
    func enqueue(_ event: CaptureEvent) {
        if paused.load(ordering: .relaxed) {
            dropped(.diskUsage, 1)
            return
        }
        let bytes = event.heldBytes
        var wakeWriter = false
        let refusal = pending.withLock { p -> CaptureDropReason? in
            if p.stopping { return .stopped }
            if p.events.count >= settings.queueRecords { return .queueRecords }
            if p.bytes + bytes > settings.queueBytes { return .queueBytes }
            p.events.append(event)
            p.bytes += bytes
            if !p.signalled, p.events.count * 2 >= settings.queueRecords || p.bytes * 2 >= settings.queueBytes {
                p.signalled = true
                wakeWriter = true
            }
            return nil
        }
        if let refusal { dropped(refusal, 1) }
        if wakeWriter { wake.signal() }
    }

    /// Writes what is queued, stops the thread and returns once it has (or at `deadline`); later records are dropped.
    func stop(deadline: ContinuousClock.Instant) {
        let first = pending.withLock { p in
            defer { p.stopping = true }
            return !p.stopping
        }
        guard first else { return }
        wake.signal()
        let remaining = max(.zero, deadline - .now)
        _ = finished.wait(timeout: .now() + .nanoseconds(Int(remaining.nanoseconds)))
    }

    private func dropped(_ reason: CaptureDropReason, _ count: Int) {
        guard count > 0 else { return }
        metrics.drop(reason, count: count)
        unreported.withLock { $0[reason, default: 0] += count }
    }

    /// The thread: wait, take the batch, check the disk, write, report; until stopped.
    private func run() {
        var files = CaptureFiles(root: settings.destination, maxFileBytes: settings.maxFileBytes)
        var lastDiskCheck: ContinuousClock.Instant?
        var lastReport: ContinuousClock.Instant?
        var failing = false
        while true {
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(settings.flushInterval.nanoseconds)))
            let (batch, stopping) = pending.withLock { p in
                defer {
                    p.events = []
                    p.bytes = 0
                    p.signalled = false
                }
                return (p.events, p.stopping)
            }
            if lastDiskCheck.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? true {
                lastDiskCheck = .now
                checkDisk()
            }
            if !batch.isEmpty {
                if paused.load(ordering: .relaxed) {
                    dropped(.diskUsage, batch.count)
                } else {
                    let outcome = files.write(batch)
                    metrics.written.increment(by: Int64(outcome.written))
                    metrics.bytes.increment(by: Int64(outcome.bytes))
                    metrics.files.increment(by: Int64(outcome.filesStarted))
                    dropped(.writeError, outcome.failed)
                    if outcome.failed > 0, !failing {
                        failing = true
                        logger.error("data capture cannot write; records are dropped until it can", metadata: [
                            "error": "\(outcome.error ?? "unknown")",
                        ])
                    } else if outcome.failed == 0, outcome.written > 0, failing {
                        failing = false
                        logger.notice("data capture writes again", metadata: ["destination": "\(settings.destination)"])
                    }
                }
            }
            metrics.queued.set(to: Double(pending.withLock { $0.events.count }))
            if lastReport.map({ ContinuousClock.now - $0 >= .seconds(10) }) ?? true, reportDrops() {
                lastReport = .now
            }
            if stopping { break }
        }
        _ = reportDrops()
        finished.signal()
    }

    /// Pauses capture above the disk-usage threshold and resumes below it (each change logged).
    private func checkDisk() {
        try? FileManager.default.createDirectory(atPath: settings.destination, withIntermediateDirectories: true)
        guard let usage = DiskUsage.percentUsed(at: settings.destination) else { return }
        metrics.diskUsage.set(to: usage)
        let over = usage > settings.diskUsageThreshold
        guard over != paused.load(ordering: .relaxed) else { return }
        paused.store(over, ordering: .relaxed)
        metrics.paused.set(to: over ? 1 : 0)
        let metadata: Logger.Metadata = [
            "destination": "\(settings.destination)", "disk_usage_percent": "\(usage.rounded())",
            "threshold_percent": "\(settings.diskUsageThreshold)",
        ]
        if over {
            logger.error("data capture paused: the disk is above its usage threshold; records are dropped", metadata: metadata)
        } else {
            logger.notice("data capture resumed: the disk is below its usage threshold", metadata: metadata)
        }
    }

    /// Logs the drops since the last report, if any; true when it logged.
    private func reportDrops() -> Bool {
        let counts = unreported.withLock { table in
            defer { table = [:] }
            return table
        }
        guard !counts.isEmpty else { return false }
        let summary = counts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
        logger.warning("data capture dropped records", metadata: [
            "dropped": "\(summary.joined(separator: ", "))", "destination": "\(settings.destination)",
        ])
        return true
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for Dispatch timeouts.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
