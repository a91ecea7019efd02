import TandemServing

/// What `tandem check-config` reports: every variant with its model version, load status and traffic share.
public enum ConfigCheck {
    /// The printed report and whether the config can be served with every variant loaded.
    public static func run(source: ModelSource, environment: [String: String], loader: ModelLoader) -> (text: String, ok: Bool) {
        do throws(ConfigError) {
            let config = try source.endpointConfig(environment: environment)
            let models = try loadEachModel(config, loader: loader)
            let pool = WorkerPool(workers: 1)
            let state = try EndpointBuilder(pool: pool, metrics: MetricsRegistry(), settings: .init())
                .build(config: config, models: models, previous: nil)
            var lines = ["endpoint \(config.endpointName) (\(source))", "repository \(config.repository)"]
            if let key = config.stickyKey { lines.append("sticky key: \(key), salt \"\(config.salt)\"") }
            lines.append("health policy: \(config.healthPolicy.rawValue)")
            lines.append("admin calls: \(config.adminToken == nil ? "off" : "on (token set)")")
            lines.append(DataCaptureReport.line(config.dataCapture))
            var ok = true
            for variant in state.production {
                let share = state.routing.share(of: variant.name)
                let configured = state.configuredShare(of: variant.name)
                let status: String
                switch variant.state {
                case .failed(let reason): status = "FAILED: \(reason)"; ok = false
                default: status = "ok (\(variant.loadedModel?.kind ?? "?"))"
                }
                lines.append(
                    "production \(variant.name): \(variant.modelID) weight \(state.weights[variant.name] ?? 0) "
                        + "share \(percent(configured))" + (share != configured ? " (effective \(percent(share)))" : "")
                        + " - \(status)")
            }
            for variant in state.shadows {
                var status = "ok"
                if case .failed(let reason) = variant.state { status = "FAILED: \(reason)"; ok = false }
                lines.append("shadow \(variant.name): \(variant.modelID) sampling \(percent(variant.samplingRate)) - \(status)")
            }
            for warning in SageMakerFidelity.warnings(config) { lines.append("warning: " + warning) }
            return (lines.joined(separator: "\n") + "\n", ok)
        } catch {
            return (error.problems.map { "invalid: \($0)\n" }.joined(), false)
        }
    }

    /// Loads the config's models one by one, so every missing model or version is reported, each with the
    /// config file and the variants that name it.
    static func loadEachModel(_ config: EndpointConfig, loader: ModelLoader) throws(ConfigError) -> [String: RepositoryModel] {
        if config.singleModelDirectory != nil { return try ModelRepository.load(for: config, loader: loader) }
        let variants = config.production.map { ($0.name, $0.model, $0.version) } + config.shadows.map { ($0.name, $0.model, $0.version) }
        var models: [String: RepositoryModel] = [:]
        var errors: [ConfigError] = []
        for name in Set(variants.map(\.1)).sorted() {
            let users = variants.filter { $0.1 == name }
            let pinned = Set(users.compactMap(\.2))
            do throws(ConfigError) {
                let loaded = try ModelRepository.load(
                    root: config.repository, names: [name], pinned: pinned.isEmpty ? [:] : [name: pinned], loader: loader)
                models.merge(loaded) { $1 }
            } catch {
                let file = config.sourceFile.map { "\($0): " } ?? ""
                let named = users.map { "'\($0.0)'" }.joined(separator: ", ")
                errors.append(ConfigError("\(file)\(error.message) (variant\(users.count == 1 ? "" : "s") \(named))"))
            }
        }
        guard errors.isEmpty else { throw ConfigError.combined(errors) }
        return models
    }

    private static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return "\(value)%"
    }
}
