import TandemJSON
import TandemServing

/// Renders the endpoint's health and variants as JSON for `/ping` (with `Accept: application/json`)
/// and `/variants`.
enum StatusReport {
    /// `loads` is `LoadProgress.json()`: each model file's size, state and load time (`model_loads`).
    static func json(
        endpoint: Endpoint, pool: WorkerPool, healthy: Bool, rollouts: [RolloutProgress] = [], loads: String = "[]"
    ) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        guard let state = endpoint.state else {
            w.member("status", string: endpoint.failure == nil ? "loading" : "failed")
            if let failure = endpoint.failure { w.member("reason", string: failure) }
            w.member("model_loads", fragment: loads)
            w.endObject()
            return w.bytes
        }
        w.member("status", string: healthy ? "healthy" : "unhealthy")
        w.member("endpoint", string: state.config.endpointName)
        w.member("policy", string: state.config.healthPolicy.rawValue)
        w.member("generation", int: state.generation)
        w.key("workers")
        w.beginObject()
        w.member("count", int: pool.workerCount)
        w.member("alive", bool: pool.isHealthy)
        w.endObject()
        if let key = state.config.stickyKey { w.member("sticky_key", string: key.description) }
        w.member("traffic_split", fragment: trafficSplit(state))
        if !rollouts.isEmpty { w.member("rollouts", fragment: AdminAPI.rolloutsJSON(rollouts)) }
        w.member("model_loads", fragment: loads)
        w.key("variants")
        w.beginArray()
        for variant in state.allVariants {
            w.beginObject()
            w.member("name", string: variant.name)
            w.member("role", string: variant.role.rawValue)
            w.member("model", string: variant.modelID.name)
            w.member("version", int: variant.modelID.version)
            let health = variant.state
            w.member("state", string: health.name)
            switch health {
            case .degraded(let reason), .failed(let reason): w.member("reason", string: reason)
            default: break
            }
            if variant.role == .production {
                w.member("weight", double: state.weights[variant.name] ?? 0)
                w.member("configured_share", double: state.configuredShare(of: variant.name))
                w.member("share", double: state.routing.share(of: variant.name))
            } else {
                w.member("sampling_percentage", double: variant.samplingRate * 100)
            }
            let depth = pool.depth(of: variant.lane)
            w.member("queue_depth", int: depth.queued)
            w.member("running", int: depth.running)
            if let model = variant.loadedModel { w.member("kind", string: model.kind) }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}

extension StatusReport {
    /// The sample-ratio-mismatch check: weighted-draw counts per production variant against the configured
    /// shares, the chi-square statistic, its p-value and the verdict.
    static func trafficSplit(_ state: EndpointState) -> String {
        let report = state.split.report()
        var w = JSONWriter()
        w.beginObject()
        w.member("weighted_requests", int: report.total)
        w.member("chi_square", double: report.chiSquare)
        w.member("degrees_of_freedom", int: report.degreesOfFreedom)
        w.member("p_value", double: report.pValue)
        w.member("mismatch", bool: report.mismatch)
        w.member("threshold", double: TrafficSplitCheck.threshold)
        w.member("minimum_requests", int: TrafficSplitCheck.minimumRequests)
        w.member("sequential_p_value", double: report.sequentialPValue)
        w.member("sequential_mismatch", bool: report.sequentialMismatch)
        w.member("sequential_requests", int: report.sequentialRequests)
        w.key("variants")
        w.beginArray()
        for (index, name) in state.split.names.enumerated() {
            w.beginObject()
            w.member("name", string: name)
            w.member("expected_share", double: state.split.expectedShares[index])
            w.member("requests", int: report.observed[index])
            w.member("observed_share", double: report.total > 0 ? Double(report.observed[index]) / Double(report.total) : 0)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
