import Foundation
import TandemServing

/// Everything the server needs to start, resolved from flags, then SageMaker's environment variables,
/// then defaults.
public struct ServerSettings: Sendable {
    public var host = "0.0.0.0"
    /// 8080, or `SAGEMAKER_BIND_TO_PORT`.
    public var port = 8080
    /// Inference threads: `--workers`, `SAGEMAKER_MODEL_SERVER_WORKERS`, else the number of cores.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Event-loop threads: two on small machines (measured faster than one on 2 cores, see
    /// docs/performance.md), a quarter of the cores on large ones.
    public var loops = ServerSettings.defaultLoops(cores: ProcessInfo.processInfo.activeProcessorCount)

    /// The default number of event loops for a machine with `cores` cores.
    public static func defaultLoops(cores: Int) -> Int {
        max(1, min(cores, max(2, cores / 4)))
    }
    /// Request body limit: 25 MiB, or `SAGEMAKER_MAX_PAYLOAD_IN_MB`.
    public var maxBodyBytes = 25 << 20
    /// Request deadline: 60 s, or `SAGEMAKER_MODEL_SERVER_TIMEOUT` (seconds).
    public var timeout: Duration = .seconds(60)
    /// Queued requests per variant before 503.
    public var queueBound = 512
    /// Response type for a missing or `*/*` Accept: `SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`.
    public var defaultAccept = PayloadFormat.json
    /// Where models come from.
    public var modelSource: ModelSource
    /// How long in-flight requests may take to finish after SIGTERM.
    public var gracePeriod: Duration = .seconds(25)
    /// Idle keep-alive connections are closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// Batch-transform concurrency advertised on /execution-parameters (`SAGEMAKER_MAX_CONCURRENT_TRANSFORMS`).
    public var maxConcurrentTransforms: Int
    /// `SAGEMAKER_BATCH_STRATEGY`, spelled as the API enum (MultiRecord / SingleRecord).
    public var batchStrategy = "MultiRecord"
    /// Log level.
    public var logLevel = "warning"
    /// The nice value of the inference workers (`TANDEM_WORKER_NICE`, 0...19, default 10): above the
    /// event loops' 0, so accepting and `/ping` keep the CPU while CPU-bound models saturate every core.
    public var workerNice = 10
    /// Connection, body, output and outcome bounds (`TANDEM_*` variables).
    public var limits = ServerLimits()
    /// Multi-model hosting: `SAGEMAKER_MULTI_MODEL`, `TANDEM_MME_*`, `TANDEM_ARCHIVE_*`.
    public var multiModel = MultiModelSettings()
    /// The access log and the log format (`TANDEM_ACCESS_LOG`, `TANDEM_LOG_FORMAT`).
    public var observability = ObservabilitySettings()

    public init(modelSource: ModelSource, workers: Int? = nil) {
        self.modelSource = modelSource
        if let workers { self.workers = workers }
        self.maxConcurrentTransforms = max(1, self.workers)
    }

    /// Applies SageMaker's environment variables over the defaults. Throws for values that are not numbers.
    public mutating func apply(environment env: [String: String]) throws(ConfigError) {
        func int(_ name: String, min: Int) throws(ConfigError) -> Int? {
            try EnvironmentNumber.int(env, name, min: min)
        }
        if let port = try int("SAGEMAKER_BIND_TO_PORT", min: 0) { self.port = port }
        if let workers = try int("SAGEMAKER_MODEL_SERVER_WORKERS", min: 1) {
            self.workers = workers
            self.maxConcurrentTransforms = workers
        }
        if let seconds = try int("SAGEMAKER_MODEL_SERVER_TIMEOUT", min: 1) { timeout = .seconds(seconds) }
        if let mb = try int("SAGEMAKER_MAX_PAYLOAD_IN_MB", min: 1) { maxBodyBytes = mb << 20 }
        if let n = try int("SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", min: 1) { maxConcurrentTransforms = n }
        if let strategy = env["SAGEMAKER_BATCH_STRATEGY"], !strategy.isEmpty {
            switch strategy.uppercased().replacingOccurrences(of: "_", with: "") {
            case "MULTIRECORD": batchStrategy = "MultiRecord"
            case "SINGLERECORD": batchStrategy = "SingleRecord"
            default: throw ConfigError("SAGEMAKER_BATCH_STRATEGY=\"\(strategy)\" must be MultiRecord or SingleRecord")
            }
        }
        if let accept = env["SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT"], !accept.isEmpty {
            guard let format = PayloadFormat(mediaType: accept.lowercased()) else {
                throw ConfigError(
                    "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT=\"\(accept)\" is not one of "
                        + PayloadFormat.allCases.map(\.mediaType).joined(separator: ", "))
            }
            defaultAccept = format
        }
        if let level = env["TANDEM_LOG_LEVEL"], !level.isEmpty { logLevel = level }
        if let nice = try int("TANDEM_WORKER_NICE", min: 0) {
            guard nice <= 19 else { throw ConfigError("environment variable TANDEM_WORKER_NICE=\(nice) must be between 0 and 19") }
            workerNice = nice
        }
        try limits.apply(environment: env)
        try multiModel.apply(environment: env)
        try observability.apply(environment: env)
    }
}
