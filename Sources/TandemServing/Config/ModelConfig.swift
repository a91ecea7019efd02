import Foundation

/// Which versions of a model the repository loads (Triton / TF Serving semantics).
public enum VersionPolicy: Sendable, Equatable, CustomStringConvertible {
    /// The highest `count` version numbers (default: the latest one).
    case latest(Int)
    /// Every version directory.
    case all
    /// Exactly these versions.
    case specific([Int])

    /// The versions to load out of those present on disk.
    public func select(from available: [Int]) -> [Int] {
        let sorted = available.sorted()
        switch self {
        case .latest(let n): return Array(sorted.suffix(max(1, n)))
        case .all: return sorted
        case .specific(let wanted): return sorted.filter(wanted.contains)
        }
    }

    public var description: String {
        switch self {
        case .latest(let n): n == 1 ? "latest" : "latest \(n)"
        case .all: "all"
        case .specific(let v): "specific \(v)"
        }
    }
}

/// The optional per-model `model.yaml` in `<repository>/<model>/`.
///
/// ```yaml
/// description: Breast cancer screening, logistic regression
/// versions: all            # latest (default) | all | [1, 2] | {latest: 2}
/// output: {scores: list}   # list (default) | map | none
/// workers: 1               # most workers this model's variants may occupy at once
/// queue: 128               # queued requests per variant before 503
/// timeout_ms: 2000         # request deadline (default: the server's)
/// ```
public struct ModelConfig: Sendable, Equatable {
    public var description: String?
    public var versionPolicy: VersionPolicy = .latest(1)
    public var rendering = OutputRendering()
    public var maxWorkers: Int?
    public var queueBound: Int?
    public var timeout: Duration?

    public init() {}

    /// Reads `<modelDir>/model.yaml` if it exists.
    public static func load(modelDirectory: String) throws(ConfigError) -> ModelConfig {
        let path = modelDirectory + "/model.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return ModelConfig() }
        return try parse(try YAMLGuard.read(path), file: path)
    }

    static func parse(_ text: String, file: String) throws(ConfigError) -> ModelConfig {
        let root = try ConfigNode.parse(text, file: file)
        var config = ModelConfig()
        if root.isMissing { return config }
        _ = try root.keys(allowed: ["description", "versions", "output", "workers", "queue", "timeout_ms"])
        config.description = try root["description"].optionalString()
        let versions = root["versions"]
        if !versions.isMissing {
            if let word = versions.value as? String {
                switch word {
                case "latest": config.versionPolicy = .latest(1)
                case "all": config.versionPolicy = .all
                default: throw versions.fail("expected latest, all, a list of versions or {latest: N}, got \"\(word)\"")
                }
            } else if versions.isMapping() {
                _ = try versions.keys(allowed: ["latest"])
                config.versionPolicy = .latest(try versions["latest"].int(min: 1))
            } else {
                var list: [Int] = []
                for item in try versions.array() { list.append(try item.int(min: 1)) }
                guard !list.isEmpty else { throw versions.fail("the list of versions is empty") }
                config.versionPolicy = .specific(list)
            }
        }
        let output = root["output"]
        if !output.isMissing {
            _ = try output.keys(allowed: ["scores"])
            let word = try output["scores"].string(default: "list")
            guard let scores = OutputRendering.Scores(rawValue: word) else {
                throw output["scores"].fail("expected list, map or none, got \"\(word)\"")
            }
            config.rendering = OutputRendering(scores: scores)
        }
        config.maxWorkers = try root["workers"].optionalInt(min: 1)
        config.queueBound = try root["queue"].optionalInt(min: 1)
        config.timeout = try root["timeout_ms"].milliseconds()
        return config
    }
}
