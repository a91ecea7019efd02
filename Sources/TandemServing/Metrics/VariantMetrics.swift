import Synchronization
import Prometheus

/// The labels that identify one variant's series: endpoint, variant, model and version.
public struct VariantMetricsKey: Sendable, Hashable {
    public var endpoint: String
    public var variant: String
    public var model: String
    public var version: String

    var labels: [(String, String)] {
        [("endpoint", endpoint), ("variant", variant), ("model", model), ("version", version)]
    }
}

/// Per-variant metrics, named after SageMaker's CloudWatch metrics: Invocations, Invocation4XXErrors,
/// Invocation5XXErrors, InvocationModelErrors, ModelLatency, OverheadLatency, ConcurrentRequestsPerModel,
/// plus queue wait, queue depth and shadow invocations. Exported as Prometheus series and as a JSON summary.
public final class VariantMetrics: Sendable {
    public let key: VariantMetricsKey
    let invocations: Counter
    let errors4xx: Counter
    let errors5xx: Counter
    let modelErrors: Counter
    let timeouts: Counter
    let rejected: Counter
    let shadowInvocations: Counter
    let modelLatency: DurationHistogram
    let overheadLatency: DurationHistogram
    let queueWait: DurationHistogram
    let concurrent: Gauge
    let queueDepth: Gauge
    let inFlightCount = Atomic<Int>(0)
    let invocationCount = Atomic<Int>(0)
    let count4xx = Atomic<Int>(0)
    let count5xx = Atomic<Int>(0)
    let shadowCount = Atomic<Int>(0)
    /// Model time (decode + run + encode on the worker), for the JSON summary.
    public let modelSummary = LatencyRecorder()
    /// End-to-end time minus model time.
    public let overheadSummary = LatencyRecorder()
    /// Time spent queued before a worker picked the request up.
    public let queueSummary = LatencyRecorder()
    /// End-to-end time from the request's last byte to its response.
    public let totalSummary = LatencyRecorder()
    /// This second's counts and latencies, drained by the dashboard's sampler.
    public let window = SecondWindow()
    /// Exact counts and nanosecond totals (success, failure, queue, compute), for the OIP statistics extension.
    public let statistics = InferenceStatistics()

    static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    private let registry: PrometheusCollectorRegistry
    /// Shadow comparisons by the production variant compared against.
    private let agreements = SanitizerVisibleLock<[String: ShadowAgreementTotals]>([:])

    static let deltaBuckets: [Double] = [0, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.25, 0.5, 1]

    init(key: VariantMetricsKey, registry: PrometheusCollectorRegistry) {
        self.key = key
        self.registry = registry
        let labels = key.labels
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "total", helpText: help),
                labels: labels)
        }
        func histogram(_ name: String, _ help: String) -> DurationHistogram {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "seconds", helpText: help),
                labels: labels, buckets: Self.latencyBuckets)
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "", helpText: help),
                labels: labels)
        }
        invocations = counter("invocations", "Requests answered by the variant (SageMaker Invocations).")
        errors4xx = counter("invocation_4xx_errors", "Requests answered with a 4xx status (Invocation4XXErrors).")
        errors5xx = counter("invocation_5xx_errors", "Requests answered with a 5xx status (Invocation5XXErrors).")
        modelErrors = counter("invocation_model_errors", "Requests the model failed or timed out on (InvocationModelErrors).")
        timeouts = counter("invocation_timeouts", "Requests answered 504 because their deadline passed.")
        rejected = counter("queue_rejections", "Requests refused with 503 because the variant's queue was full.")
        shadowInvocations = counter("shadow_invocations", "Sampled copies of production requests run by a shadow variant.")
        modelLatency = histogram("model_latency", "Time in the model: decode, run and encode on a worker (ModelLatency).")
        overheadLatency = histogram("overhead_latency", "End-to-end time minus model time (OverheadLatency).")
        queueWait = histogram("queue_wait", "Time a request waited for a worker.")
        concurrent = gauge("concurrent_requests", "Requests queued or running (ConcurrentRequestsPerModel).")
        queueDepth = gauge("queue_depth", "Requests waiting for a worker.")
    }

    /// A request entered the variant (queued).
    public func requestStarted() {
        let now = inFlightCount.wrappingAdd(1, ordering: .relaxed).newValue
        concurrent.set(to: Double(now))
    }

    /// A request this variant was routed finished: `failure` is nil for an answer. Client-side failures
    /// count as 4xx, server-side ones as 5xx, time-outs and internal model failures as model errors.
    /// Model time is nil when the model never ran.
    /// `compute` is the worker's time on it, split between decoding, the model and what follows (its sum is the
    /// model time).
    public func requestFinished(
        _ failure: InvocationFailure?, total: Duration, compute: ComputeSplit?, queueWait wait: Duration?
    ) {
        let model = compute?.total
        let now = inFlightCount.wrappingSubtract(1, ordering: .relaxed).newValue
        concurrent.set(to: Double(max(0, now)))
        invocations.increment()
        invocationCount.wrappingAdd(1, ordering: .relaxed)
        switch failure?.blame {
        case .client:
            errors4xx.increment()
            count4xx.wrappingAdd(1, ordering: .relaxed)
        case .server:
            errors5xx.increment()
            count5xx.wrappingAdd(1, ordering: .relaxed)
        case nil: break
        }
        if case .deadlineExceeded = failure { timeouts.increment() }
        if failure?.isModelError == true { modelErrors.increment() }
        window.record(clientError: failure?.blame == .client, serverError: failure?.blame == .server, total: total, model: model)
        totalSummary.record(total)
        if let model {
            modelLatency.record(model)
            modelSummary.record(model)
            let overhead = total > model ? total - model : .zero
            overheadLatency.record(overhead)
            overheadSummary.record(overhead)
        }
        if let wait {
            queueWait.record(wait)
            queueSummary.record(wait)
        }
        statistics.record(failed: failure != nil, total: total, compute: compute, queueWait: wait)
    }

    /// A request was refused because the queue was full.
    public func requestRejected() {
        rejected.increment()
    }

    /// A shadow copy ran (its answer is discarded).
    public func shadowRan() {
        shadowInvocations.increment()
        shadowCount.wrappingAdd(1, ordering: .relaxed)
    }

    /// A shadow copy's answer was compared with the production variant's answer to the same request.
    func shadowCompared(against production: String, _ agreement: PredictionAgreement) {
        agreements.withLock { $0[production, default: ShadowAgreementTotals()].add(agreement) }
        let labels = key.labels + [("production_variant", production)]
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "total", helpText: help),
                labels: labels)
        }
        counter("shadow_compared_requests", "Requests answered by both this shadow and a production variant.").increment()
        counter("shadow_label_rows", "Rows whose label both this shadow and the production variant returned.")
            .increment(by: Int64(agreement.labelRows))
        counter("shadow_label_matches", "Of those rows, the ones where the labels were equal.").increment(by: Int64(agreement.labelMatches))
        if !agreement.rowDeltas.isEmpty {
            let histogram = registry.makeValueHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "tandem", metricName: "shadow_score_delta", unitName: "",
                    helpText: "Per row, the largest absolute difference between this shadow's scores (or values) and production's."),
                labels: labels, buckets: Self.deltaBuckets)
            for delta in agreement.rowDeltas { histogram.record(delta.isFinite ? delta : Double.greatestFiniteMagnitude) }
        }
    }

    /// Shadow comparisons so far, by production variant, for the JSON summary.
    public var shadowAgreements: [(production: String, totals: ShadowAgreementTotals)] {
        agreements.withLock { table in table.keys.sorted().map { ($0, table[$0] ?? ShadowAgreementTotals()) } }
    }

    /// Sets the queue-depth gauge (done when metrics are scraped).
    public func updateQueueDepth(_ depth: Int) {
        queueDepth.set(to: Double(depth))
    }

    /// Counters for the JSON summary.
    public var counts: (invocations: Int, errors4xx: Int, errors5xx: Int, inFlight: Int, shadow: Int) {
        (
            invocationCount.load(ordering: .relaxed), count4xx.load(ordering: .relaxed),
            count5xx.load(ordering: .relaxed), max(0, inFlightCount.load(ordering: .relaxed)),
            shadowCount.load(ordering: .relaxed)
        )
    }
}

/// Owns the Prometheus registry and one `VariantMetrics` per (endpoint, variant, model, version), so a
/// config reload that keeps a variant on the same version keeps its counters.
public final class MetricsRegistry: Sendable {
    /// The registry every Tandem series lives in.
    public let prometheus = PrometheusCollectorRegistry()
    private let byKey = SanitizerVisibleLock<[VariantMetricsKey: VariantMetrics]>([:])

    public init() {}

    /// The metrics for `key`, created on first use.
    public func metrics(for key: VariantMetricsKey) -> VariantMetrics {
        byKey.withLock { table in
            if let existing = table[key] { return existing }
            let created = VariantMetrics(key: key, registry: prometheus)
            table[key] = created
            return created
        }
    }

    /// Drops `key`'s series from the registry (a multi-model endpoint's model was unloaded), so loading and
    /// unloading models does not grow `/metrics` without bound.
    public func forget(_ key: VariantMetricsKey) {
        guard let metrics = byKey.withLock({ $0.removeValue(forKey: key) }) else { return }
        for counter in [metrics.invocations, metrics.errors4xx, metrics.errors5xx, metrics.modelErrors, metrics.timeouts,
                        metrics.rejected, metrics.shadowInvocations] {
            prometheus.unregisterCounter(counter)
        }
        for histogram in [metrics.modelLatency, metrics.overheadLatency, metrics.queueWait] {
            prometheus.unregisterDurationHistogram(histogram)
        }
        prometheus.unregisterGauge(metrics.concurrent)
        prometheus.unregisterGauge(metrics.queueDepth)
    }

    /// Publishes an endpoint's sample-ratio-mismatch verdict as gauges (done when metrics are scraped):
    /// `tandem_traffic_split_p_value`, `tandem_traffic_split_mismatch` (1 or 0) and
    /// `tandem_traffic_split_weighted_requests`, labelled by endpoint.
    public func updateTrafficSplit(endpoint: String, _ report: TrafficSplitCheck.Report) {
        let labels = [("endpoint", endpoint)]
        func gauge(_ name: String, _ help: String) -> Gauge {
            prometheus.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "", helpText: help),
                labels: labels)
        }
        gauge("traffic_split_p_value", "Chi-square p-value of weighted-draw counts against the configured shares.")
            .set(to: report.pValue)
        gauge("traffic_split_mismatch", "1 when the traffic split departs from the weights (p < 0.001, >= 100 requests).")
            .set(to: report.mismatch ? 1 : 0)
        gauge("traffic_split_weighted_requests", "Weighted-draw requests counted since the weights last changed.")
            .set(to: Double(report.total))
        gauge("traffic_split_sequential_p_value",
              "Anytime-valid sample-ratio p-value (min over time of 1/Bayes factor), safe to watch continuously.")
            .set(to: report.sequentialPValue)
        gauge("traffic_split_sequential_mismatch", "1 when the anytime-valid sample-ratio p-value is below 0.001.")
            .set(to: report.sequentialMismatch ? 1 : 0)
    }

    /// Publishes the experiment ledger's writer counters (done when metrics are scraped), labelled by endpoint
    /// and ledger kind: `tandem_ledger_written_rows`, `tandem_ledger_pending_rows`, `tandem_ledger_dropped_rows`
    /// (lost: the buffer was full while the database was slow or gone), `tandem_ledger_write_failures` and
    /// `tandem_ledger_connected` (1 or 0).
    public func updateLedger(endpoint: String, kind: String, _ counters: DurableLedger.Counters) {
        let labels = [("endpoint", endpoint), ("ledger", kind)]
        func gauge(_ name: String, _ help: String) -> Gauge {
            prometheus.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "", helpText: help),
                labels: labels)
        }
        gauge("ledger_written_rows", "Experiment ledger rows written to its database.").set(to: Double(counters.written))
        gauge("ledger_pending_rows", "Experiment ledger rows buffered, not yet written.").set(to: Double(counters.pending))
        gauge("ledger_dropped_rows", "Experiment ledger rows lost: the buffer was full while the database was slow or gone.")
            .set(to: Double(counters.dropped))
        gauge("ledger_write_failures", "Failed experiment ledger connections or writes.").set(to: Double(counters.writeFailures))
        gauge("ledger_connected", "1 while the experiment ledger's database is connected.").set(to: counters.connected ? 1 : 0)
    }

    /// An outcome was posted for a request `variant` served: `tandem_outcomes_total` and
    /// `tandem_outcome_value_sum` (their ratio is the mean), labelled by endpoint and variant.
    ///
    /// The sum is a gauge, not a counter: outcomes may be negative (a refund, a rating below zero), and a
    /// Prometheus counter traps on a negative increment. A sum that overflows reads `+Inf`/`-Inf`/`NaN`.
    public func outcomeRecorded(endpoint: String, variant: String, value: Double) {
        let labels = [("endpoint", endpoint), ("variant", variant)]
        prometheus.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "outcomes", unitName: "total",
                helpText: "Outcomes posted to /outcomes, by the variant that served the request."),
            labels: labels
        ).increment()
        prometheus.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "outcome_value_sum", unitName: "",
                helpText: "Sum of the outcome values posted to /outcomes, any sign (divided by tandem_outcomes_total: the mean)."),
            labels: labels
        ).increment(by: value)
    }

    /// A configured limit was hit (see docs/reliability.md): `tandem_limit_hits_total{limit="..."}`.
    public func limitHit(_ limit: String, count: Int = 1) {
        prometheus.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "limit_hits", unitName: "total",
                helpText: "Requests or connections refused, timed out or paused by a configured limit."),
            labels: [("limit", limit)]
        ).increment(by: Int64(count))
    }

    /// Prometheus text exposition format (version 0.0.4).
    public func exposition() -> [UInt8] {
        prometheus.emitToBuffer()
    }
}

/// Running totals of a shadow variant's agreement with one production variant.
public struct ShadowAgreementTotals: Sendable {
    /// Requests both answered.
    public var requests = 0
    public var labelRows = 0
    public var labelMatches = 0
    public var deltaRows = 0
    public var deltaSum = 0.0
    public var deltaMax = 0.0

    /// Share of compared rows whose labels were equal (nil before any row carried labels on both sides).
    public var labelAgreement: Double? { labelRows > 0 ? Double(labelMatches) / Double(labelRows) : nil }
    /// Mean over compared rows of each row's largest absolute score (or value) difference.
    public var meanDelta: Double? { deltaRows > 0 ? deltaSum / Double(deltaRows) : nil }

    mutating func add(_ agreement: PredictionAgreement) {
        requests += 1
        labelRows += agreement.labelRows
        labelMatches += agreement.labelMatches
        deltaRows += agreement.deltaRows
        deltaSum += agreement.deltaSum
        deltaMax = max(deltaMax, agreement.deltaMax)
    }
}
