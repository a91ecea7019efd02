import Prometheus

/// Why a sampled record was not written.
public enum CaptureDropReason: String, Sendable, CaseIterable {
    /// `queue_records` waiting records already (the writer is behind: a slow disk).
    case queueRecords = "queue_records"
    /// `queue_bytes` of bodies waiting already.
    case queueBytes = "queue_bytes"
    /// The disk is fuller than `disk_usage_threshold_percentage`: capture is paused.
    case diskUsage = "disk_usage"
    /// Writing failed (disk full, read-only or missing directory, ...).
    case writeError = "write_error"
    /// The writer was stopping (shutdown or a reload that changed the destination) and a record came too late.
    case stopped
}

/// The capture series in `/metrics`, created once: every sampled record ends written or dropped (by reason),
/// so `tandem_capture_sampled_total = written + sum(dropped)` once the queue is empty.
struct CaptureMetrics: Sendable {
    let sampled: Counter
    let written: Counter
    let bytes: Counter
    let files: Counter
    let dropped: [CaptureDropReason: Counter]
    let paused: Gauge
    let queued: Gauge
    let diskUsage: Gauge
    let registry: MetricsRegistry

    init(registry: MetricsRegistry) {
        self.registry = registry
        let prometheus = registry.prometheus
        func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
            prometheus.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "total", helpText: help),
                labels: labels)
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            prometheus.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "", helpText: help), labels: [])
        }
        sampled = counter("capture_sampled", "Invocations sampled for data capture.")
        written = counter("capture_written", "Data capture records written to disk.")
        bytes = counter("capture_bytes", "Bytes of data capture records written to disk.")
        files = counter("capture_files", "Data capture files started (by hour and by max_file_bytes rotation).")
        var dropped: [CaptureDropReason: Counter] = [:]
        for reason in CaptureDropReason.allCases {
            dropped[reason] = counter(
                "capture_dropped", "Sampled data capture records dropped instead of written, by reason.", [("reason", reason.rawValue)])
        }
        self.dropped = dropped
        paused = gauge("capture_paused", "1 while data capture is paused because the disk is above its usage threshold.")
        queued = gauge("capture_queue_records", "Data capture records waiting for the writer (at its last batch).")
        diskUsage = gauge("capture_disk_usage_percent", "Used share of the disk holding the capture directory (last check).")
    }

    /// Counts `count` dropped records; the queue and disk bounds also count as limits hit.
    func drop(_ reason: CaptureDropReason, count: Int = 1) {
        guard count > 0 else { return }
        dropped[reason]?.increment(by: Int64(count))
        switch reason {
        case .queueRecords, .queueBytes, .diskUsage:
            registry.limitHit("capture_\(reason.rawValue)", count: count)
        case .writeError, .stopped:
            break
        }
    }
}
