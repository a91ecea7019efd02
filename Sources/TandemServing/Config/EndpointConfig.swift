import Foundation

/// Where the sticky routing key comes from.
public enum StickyKeySource: Sendable, Equatable, CustomStringConvertible {
    /// A request header, e.g. `X-User-Id`.
    case header(String)
    /// A `key=value` entry inside `X-Amzn-SageMaker-Custom-Attributes` (entries separated by `,` or `;`).
    case customAttribute(String)

    public var description: String {
        switch self {
        case .header(let h): "header \(h)"
        case .customAttribute(let k): "custom attribute \(k)"
        }
    }
}

/// When `/ping` answers 200.
public enum HealthPolicy: String, Sendable, Equatable {
    /// Every production variant is ready (or degraded); any failed or loading one makes `/ping` 503.
    case all
    /// At least one production variant is ready (or degraded).
    case any
}

/// One production variant in `endpoint.yaml`.
public struct VariantConfig: Sendable, Equatable {
    public var name: String
    public var model: String
    /// The version to serve; nil means the highest version the model's policy loads.
    public var version: Int?
    /// Traffic share = weight / sum of weights (SageMaker's InitialVariantWeight; default 1.0).
    public var weight: Double
    public var maxWorkers: Int?
    public var queueBound: Int?
    public var timeout: Duration?

    public init(
        name: String, model: String, version: Int?, weight: Double, maxWorkers: Int? = nil, queueBound: Int? = nil,
        timeout: Duration? = nil
    ) {
        self.name = name
        self.model = model
        self.version = version
        self.weight = weight
        self.maxWorkers = maxWorkers
        self.queueBound = queueBound
        self.timeout = timeout
    }
}

/// One shadow variant: gets a sampled copy of production traffic off the response path.
public struct ShadowVariantConfig: Sendable, Equatable {
    public var name: String
    public var model: String
    public var version: Int?
    /// Percentage (0-100) of production requests copied to this variant.
    public var samplingPercentage: Double
    public var maxWorkers: Int?
    public var queueBound: Int?
}

/// The endpoint configuration (`config/endpoint.yaml`, or `endpoint.yaml` inside a model directory).
///
/// ```yaml
/// endpoint: tandem-demo
/// repository: ../models             # relative to this file; default: the file's directory
/// routing:
///   salt: tandem-demo-2026          # default: the endpoint name
///   sticky_key: {header: X-User-Id} # or {custom_attribute: user}
/// health:
///   policy: all                     # all (default) | any
///   degraded_error_rate: 0.5        # recent 5xx+timeout share that marks a variant degraded
///   window_s: 60
///   min_requests: 20
/// admin:
///   token_env: TANDEM_ADMIN_TOKEN   # admin calls are off unless this variable (or `token:`) is set
/// production_variants:
///   - {name: control, model: breast-cancer-logreg, version: 1, weight: 0.8}
///   - {name: challenger, model: breast-cancer-logreg, version: 2, weight: 0.2}
/// shadow_variants:
///   - {name: shadow, model: breast-cancer-logreg, version: 2, sampling_percentage: 10}
/// ```
public struct EndpointConfig: Sendable, Equatable {
    public var endpointName: String
    /// Absolute path of the model repository.
    public var repository: String
    public var salt: String
    public var stickyKey: StickyKeySource?
    public var healthPolicy: HealthPolicy = .all
    public var degradedErrorRate: Double = 0.5
    public var healthWindow: Duration = .seconds(60)
    public var healthMinRequests: Int = 20
    public var adminToken: String?
    /// `experiment:` — outcome collection for A/B analysis; nil when off.
    public var experiment: ExperimentConfig?
    /// `rollouts:` — guarded rollouts, one per challenger.
    public var rollouts: [RolloutPolicy] = []
    /// `data_capture:` — requests and answers written to disk in SageMaker's capture format; nil when absent.
    public var dataCapture: DataCaptureConfig?
    public var production: [VariantConfig]
    public var shadows: [ShadowVariantConfig]
    /// The file this came from (nil for a generated single-model config).
    public var sourceFile: String?
    /// Set for a model directory that holds one artifact (`model.onnx`) rather than a repository.
    public var singleModelDirectory: String?

    public init(
        endpointName: String, repository: String, production: [VariantConfig], shadows: [ShadowVariantConfig] = [],
        salt: String? = nil
    ) {
        self.endpointName = endpointName
        self.repository = repository
        self.production = production
        self.shadows = shadows
        self.salt = salt ?? endpointName
    }

    /// Reads and validates an endpoint file. `environment` supplies the admin token variable.
    public static func load(file: String, environment: [String: String]) throws(ConfigError) -> EndpointConfig {
        let text = try YAMLGuard.read(file)
        let directory = (file as NSString).deletingLastPathComponent
        return try parse(text, file: file, directory: directory.isEmpty ? "." : directory, environment: environment)
    }

    static func parse(
        _ text: String, file: String, directory: String, environment: [String: String]
    ) throws(ConfigError) -> EndpointConfig {
        let root = try ConfigNode.parse(text, file: file)
        _ = try root.keys(allowed: [
            "endpoint", "repository", "routing", "health", "admin", "production_variants", "shadow_variants",
            "experiment", "rollouts", "data_capture",
        ])
        let name = try root["endpoint"].string(default: "tandem")
        guard isSageMakerName(name) else {
            throw root["endpoint"].fail(
                "endpoint names are 1-63 characters of letters, digits and '-' (SageMaker's rule), got \"\(name)\"")
        }
        let repo = try root["repository"].string(default: ".")
        let repository = repo.hasPrefix("/") ? repo : ((directory as NSString).appendingPathComponent(repo) as NSString).standardizingPath

        // Every variant and section is checked even after an error, so `check-config` lists them all.
        var errors: [ConfigError] = []
        var production: [VariantConfig] = []
        var names: Set<String> = []
        for node in try root["production_variants"].array() {
            do throws(ConfigError) {
                _ = try node.keys(allowed: ["name", "model", "version", "weight", "workers", "queue", "timeout_ms"])
                let variant = VariantConfig(
                    name: try variantName(node["name"], names: &names),
                    model: try node["model"].string(),
                    version: try node["version"].optionalInt(min: 1),
                    weight: try node["weight"].double(default: 1.0, min: 0),
                    maxWorkers: try node["workers"].optionalInt(min: 1),
                    queueBound: try node["queue"].optionalInt(min: 1),
                    timeout: try node["timeout_ms"].milliseconds())
                production.append(variant)
            } catch {
                errors.append(error.naming(variant: node))
            }
        }
        guard !production.isEmpty || !errors.isEmpty else {
            throw root["production_variants"].fail("at least one production variant is required")
        }
        guard production.count <= 10 else {
            throw root["production_variants"].fail("SageMaker allows at most 10 production variants, got \(production.count)")
        }
        if errors.isEmpty, let problem = RoutingTable.problem(withWeights: production.map { ($0.name, $0.weight) }) {
            errors.append(root["production_variants"].fail(problem))
        }
        var shadows: [ShadowVariantConfig] = []
        for node in try root["shadow_variants"].array() {
            do throws(ConfigError) {
                _ = try node.keys(allowed: ["name", "model", "version", "sampling_percentage", "workers", "queue"])
                shadows.append(
                    ShadowVariantConfig(
                        name: try variantName(node["name"], names: &names),
                        model: try node["model"].string(),
                        version: try node["version"].optionalInt(min: 1),
                        samplingPercentage: try node["sampling_percentage"].double(default: 100, min: 0, max: 100),
                        maxWorkers: try node["workers"].optionalInt(min: 1),
                        queueBound: try node["queue"].optionalInt(min: 1)))
            } catch {
                errors.append(error.naming(variant: node))
            }
        }

        var config = EndpointConfig(endpointName: name, repository: repository, production: production, shadows: shadows)
        config.sourceFile = file
        let routing = root["routing"]
        if !routing.isMissing {
            do throws(ConfigError) {
                _ = try routing.keys(allowed: ["salt", "sticky_key"])
                config.salt = try routing["salt"].string(default: name)
                let sticky = routing["sticky_key"]
                if !sticky.isMissing {
                    let keys = try sticky.keys(allowed: ["header", "custom_attribute"])
                    guard keys.count == 1 else { throw sticky.fail("give exactly one of header or custom_attribute") }
                    if keys[0] == "header" {
                        config.stickyKey = .header(try sticky["header"].string())
                    } else {
                        config.stickyKey = .customAttribute(try sticky["custom_attribute"].string())
                    }
                }
            } catch {
                errors.append(error)
            }
        }
        let health = root["health"]
        if !health.isMissing {
            do throws(ConfigError) {
                _ = try health.keys(allowed: ["policy", "degraded_error_rate", "window_s", "min_requests"])
                let policy = try health["policy"].string(default: "all")
                guard let parsed = HealthPolicy(rawValue: policy) else {
                    throw health["policy"].fail("expected all or any, got \"\(policy)\"")
                }
                config.healthPolicy = parsed
                config.degradedErrorRate = try health["degraded_error_rate"].double(default: 0.5, min: 0, max: 1)
                config.healthWindow = .seconds(try health["window_s"].double(default: 60, min: 1))
                config.healthMinRequests = try health["min_requests"].int(default: 20, min: 1)
            } catch {
                errors.append(error)
            }
        }
        let experiment = root["experiment"]
        if !experiment.isMissing {
            do throws(ConfigError) {
                _ = try experiment.keys(allowed: [
                    "outcomes", "control", "remember", "metric", "alpha", "sequential_tuning", "planned_outcomes",
                    "hybrid_sequential_share", "ledger", "ledger_env", "bandit",
                ])
                if try experiment["outcomes"].bool(default: false) {
                    let control = try experiment["control"].string(default: production.first?.name ?? "")
                    guard production.contains(where: { $0.name == control }) else {
                        throw experiment["control"].fail(
                            "'\(control)' is not a production variant; production variants: \(production.map(\.name).joined(separator: ", "))")
                    }
                    var parsed = ExperimentConfig(
                        control: control, remember: try experiment["remember"].int(default: 100_000, min: 1))
                    let metric = try experiment["metric"].string(default: OutcomeMetric.continuous.rawValue)
                    guard let kind = OutcomeMetric(rawValue: metric) else {
                        throw experiment["metric"].fail("expected binary or continuous, got \"\(metric)\"")
                    }
                    parsed.metric = kind
                    parsed.sequential.alpha = try experiment["alpha"].double(default: 0.05, min: 1e-6, max: 0.5)
                    parsed.sequential.tuning = try experiment["sequential_tuning"].double(
                        default: AnytimeValidTest.Settings.defaultTuning, min: 1)
                    if !experiment["planned_outcomes"].isMissing {
                        parsed.sequential.plannedOutcomes = try experiment["planned_outcomes"].int(min: 4)
                    }
                    parsed.sequential.hybridSequentialShare = try experiment["hybrid_sequential_share"].double(
                        default: AnytimeValidTest.Settings.defaultHybridSequentialShare, min: 0.01, max: 0.99)
                    parsed.ledger = try Self.ledger(experiment, directory: directory, environment: environment)
                    let bandit = experiment["bandit"]
                    if !bandit.isMissing {
                        _ = try bandit.keys(allowed: ["cadence_s", "burn_in_outcomes", "floor", "draws", "direction"])
                        var policy = BanditPolicy()
                        policy.cadenceSeconds = try bandit["cadence_s"].double(default: 900, min: 0.01)
                        policy.burnInOutcomes = try bandit["burn_in_outcomes"].int(default: 100, min: 0)
                        policy.floor = try bandit["floor"].double(default: 0.01, min: 0, max: 1.0 / Double(production.count))
                        policy.draws = try bandit["draws"].int(default: 10_000, min: 100)
                        let direction = try bandit["direction"].string(default: "higher_is_better")
                        guard direction == "higher_is_better" || direction == "lower_is_better" else {
                            throw bandit["direction"].fail("expected higher_is_better or lower_is_better, got \"\(direction)\"")
                        }
                        policy.higherIsBetter = direction == "higher_is_better"
                        parsed.bandit = policy
                    }
                    config.experiment = parsed
                }
            } catch {
                errors.append(error)
            }
        }
        do throws(ConfigError) {
            let rolloutControl = config.experiment?.control ?? production.first?.name ?? ""
            for node in try root["rollouts"].array() {
                let policy = try RolloutPolicy.parse(node, production: production.map(\.name), control: rolloutControl)
                guard !config.rollouts.contains(where: { $0.variant == policy.variant }) else {
                    throw node["variant"].fail("a second rollout for '\(policy.variant)'")
                }
                config.rollouts.append(policy)
            }
        } catch {
            errors.append(error)
        }
        do throws(ConfigError) {
            if !root["data_capture"].isMissing {
                config.dataCapture = try DataCaptureConfig.parse(root["data_capture"], directory: directory, environment: environment)
            }
        } catch {
            errors.append(error)
        }
        let admin = root["admin"]
        if !admin.isMissing {
            do throws(ConfigError) {
                _ = try admin.keys(allowed: ["token", "token_env"])
                if let token = try admin["token"].optionalString(), !token.isEmpty {
                    config.adminToken = token
                } else if let variable = try admin["token_env"].optionalString() {
                    config.adminToken = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
                }
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw ConfigError.combined(errors) }
        return config
    }

    /// `experiment.ledger` (`off`, an SQLite path or `sqlite:path`, a PostgreSQL URL) or `experiment.ledger_env` (a
    /// variable holding one); default: `tandem-ledger.sqlite` beside the config file.
    static func ledger(_ experiment: ConfigNode, directory: String, environment: [String: String]) throws(ConfigError)
        -> LedgerLocation
    {
        var text = try experiment["ledger"].optionalString()
        if text == nil, let variable = try experiment["ledger_env"].optionalString() {
            guard let value = environment[variable], !value.isEmpty else {
                throw experiment["ledger_env"].fail("the environment variable \(variable) is not set")
            }
            text = value
        }
        guard let text, !text.isEmpty else {
            return .database((directory as NSString).appendingPathComponent("tandem-ledger.sqlite"))
        }
        if text == "off" || text == "memory" { return .memory }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .database(text) }
        let path = text.hasPrefix("sqlite:") ? String(text.dropFirst("sqlite:".count)) : text
        return .database(path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path))
    }

    /// SageMaker's rule for endpoint and variant names: `^[a-zA-Z0-9](-*[a-zA-Z0-9])*$`, at most 63 characters.
    public static func isSageMakerName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 63
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
            && name.first != "-" && name.last != "-"
    }

    private static func variantName(_ node: ConfigNode, names: inout Set<String>) throws(ConfigError) -> String {
        let name = try node.string()
        guard isSageMakerName(name) else {
            throw node.fail("variant names are 1-63 characters of letters, digits and '-' (SageMaker's rule), got \"\(name)\"")
        }
        guard names.insert(name).inserted else { throw node.fail("variant name \"\(name)\" is used twice") }
        return name
    }
}

/// `experiment:` in `endpoint.yaml`: collect outcomes (`POST /outcomes`) and compare variants (`GET /experiment`).
public struct ExperimentConfig: Sendable, Equatable {
    /// The production variant the others are compared with (default: the first one listed).
    public var control: String
    /// How many recent request ids are remembered for outcome lookup.
    public var remember: Int
    /// What an outcome is: a 0/1 conversion or any number.
    public var metric: OutcomeMetric = .continuous
    /// The always-valid statistics' level, tuning parameter and optional hybrid plan.
    public var sequential = AnytimeValidTest.Settings()
    /// Where assignments and outcomes are kept.
    public var ledger: LedgerLocation = .memory
    /// Thompson sampling instead of fixed weights (nil: the configured weights).
    public var bandit: BanditPolicy?

    public init(control: String, remember: Int) {
        self.control = control
        self.remember = remember
    }
}

/// Where an experiment's assignments and outcomes are kept.
public enum LedgerLocation: Sendable, Equatable {
    /// Only in this process's memory (lost on restart, one replica's view).
    case memory
    /// An SQLite file path (`sqlite:` stripped) or a PostgreSQL URL.
    case database(String)
}

/// The kind of outcome an experiment collects.
public enum OutcomeMetric: String, Sendable {
    /// 0 or 1 (a conversion, a click): other values are refused.
    case binary
    /// Any finite number (revenue, a rating, a latency).
    case continuous
}
