import Prometheus
import TandemServing

/// The multi-model endpoint's series, named after SageMaker's MME CloudWatch metrics: `ModelLoadingTime`,
/// `ModelUnloadingTime`, `ModelLoadingWaitTime` (histograms), `ModelCacheHit` (hits and misses),
/// `LoadedModelCount`, plus the bytes held against the budget, evictions and refused loads. They are
/// endpoint-wide (bounded label sets); each loaded model's own requests are counted by its variants'
/// series, labelled `endpoint=<model key>`, which are dropped when the model is unloaded.
final class MultiModelMetrics: Sendable {
    let loadingTime: DurationHistogram
    let unloadingTime: DurationHistogram
    let loadingWaitTime: DurationHistogram
    let cacheHits: Counter
    let cacheMisses: Counter
    let loadedCount: Gauge
    let loadedBytes: Gauge
    let budgetBytes: Gauge
    let evictions: Counter
    private let registry: MetricsRegistry

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(360),
    ]

    init(registry: MetricsRegistry, budget: Int) {
        self.registry = registry
        let prometheus = registry.prometheus
        func histogram(_ name: String, _ help: String) -> DurationHistogram {
            prometheus.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "seconds", helpText: help),
                buckets: Self.buckets)
        }
        func counter(_ name: String, _ help: String) -> Counter {
            prometheus.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "total", helpText: help))
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            prometheus.makeGauge(descriptor: MetricNameDescriptor(namespace: "tandem", metricName: name, unitName: "", helpText: help))
        }
        loadingTime = histogram("mme_model_loading_time", "Time to load a model: extract, read, warm up (ModelLoadingTime).")
        unloadingTime = histogram("mme_model_unloading_time", "Time to unload a model, in-flight drain included (ModelUnloadingTime).")
        loadingWaitTime = histogram(
            "mme_model_loading_wait_time", "Time a TargetModel request waited for its model to load (ModelLoadingWaitTime).")
        cacheHits = counter("mme_model_cache_hit", "Invocations whose model was already loaded (ModelCacheHit = 1).")
        cacheMisses = counter("mme_model_cache_miss", "Invocations that had to wait for their model to load (ModelCacheHit = 0).")
        loadedCount = gauge("mme_loaded_model_count", "Models loaded now (LoadedModelCount).")
        loadedBytes = gauge("mme_loaded_model_bytes", "Bytes the loaded models hold against the memory budget.")
        budgetBytes = gauge("mme_memory_budget_bytes", "The memory budget for loaded models (TANDEM_MME_MEMORY_BUDGET_*).")
        evictions = counter("mme_model_evictions", "Least recently used idle models unloaded to make room.")
        budgetBytes.set(to: Double(budget))
    }

    /// A load was refused or failed: `tandem_mme_model_load_failures_total{reason=...}`.
    func loadFailed(_ reason: String) {
        registry.prometheus.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "tandem", metricName: "mme_model_load_failures", unitName: "total",
                helpText: "Model loads refused or failed, by reason (insufficient_memory, invalid_model, unsafe_archive, not_found)."),
            labels: [("reason", reason)]
        ).increment()
    }

    /// A configured limit was hit (`tandem_limit_hits_total{limit=...}`, docs/reliability.md).
    func limitHit(_ limit: String) {
        registry.limitHit(limit)
    }
}
