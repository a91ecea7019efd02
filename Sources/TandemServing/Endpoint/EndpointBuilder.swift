/// Builds an `EndpointState` from a validated config and the loaded repository, reusing lanes and
/// metrics of variants that survive a reload.
public struct EndpointBuilder: Sendable {
    public var pool: WorkerPool
    public var metrics: MetricsRegistry
    public var settings: EndpointState.Settings
    /// The worker-pool lane group this endpoint's lanes belong to ("" for the served endpoint; a multi-model
    /// endpoint's model uses its key, so building it leaves every other endpoint's lanes alone).
    public var laneGroup = ""

    public init(pool: WorkerPool, metrics: MetricsRegistry, settings: EndpointState.Settings) {
        self.pool = pool
        self.metrics = metrics
        self.settings = settings
    }

    /// Resolves every variant's model version. A variant whose model or version is not in the
    /// repository makes the whole config invalid; a version that exists but fails to load gives a
    /// failed variant (the server keeps serving the others).
    public func build(
        config: EndpointConfig, models: [String: RepositoryModel], previous: EndpointState?
    ) throws(ConfigError) -> EndpointState {
        let workers = pool.workerCount
        let productionCount = config.production.count
        // Reserve a worker per production variant when there are enough workers, so one slow variant
        // cannot take them all.
        let reserve = productionCount > 1 && workers >= productionCount ? 1 : 0
        var lanes: [WorkerLane] = []
        func lane(named name: String, capacity: Int, maxConcurrency: Int, reserved: Int) -> WorkerLane {
            if let old = previous?.allVariants.first(where: { $0.name == name })?.lane {
                pool.configure(old, capacity: capacity, maxConcurrency: maxConcurrency, reserved: reserved)
                lanes.append(old)
                return old
            }
            let fresh = WorkerLane(name: name, capacity: capacity, maxConcurrency: maxConcurrency, reserved: reserved, group: laneGroup)
            lanes.append(fresh)
            return fresh
        }
        func resolve(model name: String, version: Int?, variant: String) throws(ConfigError) -> (RepositoryModel, LoadedVersion) {
            guard let model = models[name] else {
                throw ConfigError("variant '\(variant)': model '\(name)' is not in the repository \(config.repository)")
            }
            guard let loaded = model.version(version) else {
                let policy = model.config.versionPolicy
                throw ConfigError(
                    "variant '\(variant)': model '\(name)' version \(version.map(String.init) ?? "latest") is not loaded "
                        + "(on disk: \(model.availableVersions), loaded by policy '\(policy)': \(model.loaded.map(\.id.version)))")
            }
            return (model, loaded)
        }
        func health() -> HealthTracker {
            HealthTracker(window: config.healthWindow, threshold: config.degradedErrorRate, minRequests: config.healthMinRequests)
        }

        var production: [Variant] = []
        for variant in config.production {
            let (model, loaded) = try resolve(model: variant.model, version: variant.version, variant: variant.name)
            let maxWorkers = variant.maxWorkers ?? model.config.maxWorkers ?? workers
            production.append(
                Variant(
                    name: variant.name, role: .production, modelID: loaded.id, model: loaded.model,
                    rendering: model.config.rendering,
                    timeout: variant.timeout ?? model.config.timeout ?? settings.timeout, samplingRate: 0,
                    lane: lane(
                        named: variant.name, capacity: variant.queueBound ?? model.config.queueBound ?? settings.queueBound,
                        maxConcurrency: maxWorkers, reserved: reserve),
                    metrics: metrics.metrics(for: key(config, variant.name, loaded.id)),
                    health: health(), modelDescription: model.config.description))
        }
        var shadows: [Variant] = []
        for variant in config.shadows {
            let (model, loaded) = try resolve(model: variant.model, version: variant.version, variant: variant.name)
            shadows.append(
                Variant(
                    name: variant.name, role: .shadow, modelID: loaded.id, model: loaded.model,
                    rendering: model.config.rendering, timeout: model.config.timeout ?? settings.timeout,
                    samplingRate: variant.samplingPercentage / 100,
                    lane: lane(
                        named: variant.name, capacity: variant.queueBound ?? model.config.queueBound ?? 64,
                        maxConcurrency: variant.maxWorkers ?? max(1, workers / 2), reserved: 0),
                    metrics: metrics.metrics(for: key(config, variant.name, loaded.id)),
                    health: health(), modelDescription: model.config.description))
        }
        pool.setLanes(lanes, group: laneGroup)
        let weights = Dictionary(uniqueKeysWithValues: config.production.map { ($0.name, $0.weight) })
        return EndpointState(
            config: config, production: production, shadows: shadows, weights: weights,
            generation: (previous?.generation ?? 0) + 1)
    }

    private func key(_ config: EndpointConfig, _ variant: String, _ id: ModelID) -> VariantMetricsKey {
        VariantMetricsKey(endpoint: config.endpointName, variant: variant, model: id.name, version: String(id.version))
    }
}
