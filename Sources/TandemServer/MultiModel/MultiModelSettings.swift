import Foundation
import TandemArchive
import TandemServing

/// How the container hosts many models (a SageMaker multi-model endpoint, and the Runtime API emulation's
/// `TargetModel`), from environment variables over defaults. docs/multi-model.md describes them; the limits
/// are in docs/reliability.md's table.
public struct MultiModelSettings: Sendable, Equatable {
    /// `SAGEMAKER_MULTI_MODEL=true` (SageMaker sets it on a multi-model endpoint): serve the `/models` routes and
    /// load no model at start-up.
    public var enabled = false
    /// `TANDEM_MME_MODEL_ROOT`: the directory `TargetModel` names are resolved under by the Runtime API
    /// emulation (`invoke_endpoint(TargetModel="customer-17.tar.gz")` loads `<root>/customer-17.tar.gz`).
    public var modelRoot: String?
    /// `TANDEM_MME_EXTRACT_DIR`: where archives are extracted, one directory per load; the only directory a
    /// multi-model endpoint writes.
    public var extractDirectory = "/tmp/tandem-models"
    /// `TANDEM_MME_MEMORY_BUDGET_BYTES`: bytes the loaded models may take (0: use the percentage).
    public var budgetBytes = 0
    /// `TANDEM_MME_MEMORY_BUDGET_PERCENT`: share of the container's memory limit (cgroup, else physical memory)
    /// the loaded models may take, when no byte budget is set.
    public var budgetPercent = 50
    /// `TANDEM_MME_MAX_MODELS`: models loaded at once; past it the least recently used idle one is unloaded.
    public var maxModels = 10_000
    /// `TANDEM_MME_LOAD_WAIT_MS`: how long a `TargetModel` request waits for its model to load before it gets
    /// `ModelNotReadyException` (429) and should retry.
    public var loadWait: Duration = .seconds(30)
    /// `TANDEM_MME_UNLOAD_DRAIN_MS`: how long `DELETE /models/{name}` waits for the model's requests in flight
    /// (inside SageMaker's 360 s).
    public var unloadDrain: Duration = .seconds(300)
    /// `TANDEM_MME_PAGE_SIZE`: models per `GET /models` page.
    public var pageSize = 100
    /// `TANDEM_CAPTURE_DIR`: where hosted models whose `endpoint.yaml` asks for data capture write it.
    public var captureDirectory: String?
    /// `TANDEM_ARCHIVE_MAX_BYTES`, `TANDEM_ARCHIVE_MAX_FILES`: what one extracted archive may hold.
    public var archive = ArchiveLimits()

    public init() {}

    /// Whether anything hosts models by name (the `/models` routes or `TargetModel`).
    public var hostsModels: Bool { enabled || modelRoot != nil }

    public mutating func apply(environment env: [String: String]) throws(ConfigError) {
        func int(_ name: String, min: Int) throws(ConfigError) -> Int? {
            try EnvironmentNumber.int(env, name, min: min)
        }
        if let flag = env["SAGEMAKER_MULTI_MODEL"], !flag.isEmpty {
            switch flag.lowercased() {
            case "true", "1", "yes": enabled = true
            case "false", "0", "no": enabled = false
            default: throw ConfigError("SAGEMAKER_MULTI_MODEL=\"\(flag)\" must be true or false")
            }
        }
        if let root = env["TANDEM_MME_MODEL_ROOT"], !root.isEmpty { modelRoot = root }
        if let directory = env[DataCaptureConfig.destinationVariable], !directory.isEmpty { captureDirectory = directory }
        if let directory = env["TANDEM_MME_EXTRACT_DIR"], !directory.isEmpty {
            guard directory.hasPrefix("/") else {
                throw ConfigError("TANDEM_MME_EXTRACT_DIR=\"\(directory)\" must be an absolute path")
            }
            extractDirectory = directory
        }
        if let value = try int("TANDEM_MME_MEMORY_BUDGET_BYTES", min: 0) { budgetBytes = value }
        if let value = try int("TANDEM_MME_MEMORY_BUDGET_PERCENT", min: 1) {
            guard value <= 100 else { throw ConfigError("TANDEM_MME_MEMORY_BUDGET_PERCENT=\(value) must be 1...100") }
            budgetPercent = value
        }
        if let value = try int("TANDEM_MME_MAX_MODELS", min: 1) { maxModels = value }
        if let value = try int("TANDEM_MME_LOAD_WAIT_MS", min: 1) { loadWait = .milliseconds(value) }
        if let value = try int("TANDEM_MME_UNLOAD_DRAIN_MS", min: 0) { unloadDrain = .milliseconds(value) }
        if let value = try int("TANDEM_MME_PAGE_SIZE", min: 1) { pageSize = value }
        if let value = try int("TANDEM_ARCHIVE_MAX_BYTES", min: 1) { archive.maxBytes = value }
        if let value = try int("TANDEM_ARCHIVE_MAX_FILES", min: 1) { archive.maxEntries = value }
    }

    /// The memory budget in bytes: the byte setting, else the percentage of the container's limit.
    public func budget(memoryLimit: Int = MultiModelSettings.memoryLimit()) -> Int {
        budgetBytes > 0 ? budgetBytes : Int(Double(memoryLimit) * Double(budgetPercent) / 100)
    }

    /// The container's memory limit: cgroup v2 `memory.max`, else cgroup v1 `memory.limit_in_bytes`, else
    /// the machine's physical memory.
    public static func memoryLimit() -> Int {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0
            else { continue }
            return min(value, physical)
        }
        return physical
    }
}
