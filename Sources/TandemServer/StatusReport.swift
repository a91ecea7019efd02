import TandemServing

/// Renders the endpoint's health and variants as JSON for `/ping` (with `Accept: application/json`)
/// and `/variants`.
enum StatusReport {
    static func json(endpoint: Endpoint, pool: WorkerPool, healthy: Bool) -> [UInt8] {
        var w = JSONBuilder()
        w.open()
        guard let state = endpoint.state else {
            w.member("status", string: endpoint.failure == nil ? "loading" : "failed")
            if let failure = endpoint.failure { w.member("reason", string: failure) }
            w.close()
            return w.bytes
        }
        w.member("status", string: healthy ? "healthy" : "unhealthy")
        w.member("endpoint", string: state.config.endpointName)
        w.member("policy", string: state.config.healthPolicy.rawValue)
        w.member("generation", int: state.generation)
        w.member("workers", raw: "{\"count\":\(pool.workerCount),\"alive\":\(pool.isHealthy)}")
        if let key = state.config.stickyKey { w.member("sticky_key", string: key.description) }
        w.member("traffic_split", raw: trafficSplit(state))
        w.key("variants")
        w.raw("[")
        for (index, variant) in state.allVariants.enumerated() {
            if index > 0 { w.raw(",") }
            w.open()
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
            w.close()
        }
        w.raw("]")
        w.close()
        return w.bytes
    }
}

extension StatusReport {
    /// The sample-ratio-mismatch check: weighted-draw counts per production variant against the configured
    /// shares, the chi-square statistic, its p-value and the verdict.
    static func trafficSplit(_ state: EndpointState) -> String {
        let report = state.split.report()
        var w = JSONBuilder()
        w.open()
        w.member("weighted_requests", int: report.total)
        w.member("chi_square", double: report.chiSquare)
        w.member("degrees_of_freedom", int: report.degreesOfFreedom)
        w.member("p_value", double: report.pValue)
        w.member("mismatch", raw: report.mismatch ? "true" : "false")
        w.member("threshold", double: TrafficSplitCheck.threshold)
        w.member("minimum_requests", int: TrafficSplitCheck.minimumRequests)
        w.key("variants")
        w.raw("[")
        for (index, name) in state.split.names.enumerated() {
            if index > 0 { w.raw(",") }
            w.open()
            w.member("name", string: name)
            w.member("expected_share", double: state.split.expectedShares[index])
            w.member("requests", int: report.observed[index])
            w.member("observed_share", double: report.total > 0 ? Double(report.observed[index]) / Double(report.total) : 0)
            w.close()
        }
        w.raw("]")
        w.close()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

/// A small JSON object builder for the server's status and admin bodies.
struct JSONBuilder {
    private(set) var bytes: [UInt8] = []
    private var needsComma = [false]

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func open() {
        raw("{")
        needsComma.append(false)
    }

    mutating func close() {
        raw("}")
        needsComma.removeLast()
        markValue()
    }

    mutating func key(_ name: String) {
        if needsComma[needsComma.count - 1] { raw(",") }
        needsComma[needsComma.count - 1] = true
        raw(quote(name) + ":")
    }

    mutating func member(_ name: String, string value: String) { key(name); raw(quote(value)) }
    mutating func member(_ name: String, int value: Int) { key(name); raw(String(value)) }
    mutating func member(_ name: String, double value: Double) { key(name); raw(Self.number(value)) }
    /// nil is written as null.
    mutating func member(_ name: String, double value: Double?) { key(name); raw(value.map(Self.number) ?? "null") }
    mutating func member(_ name: String, doubles values: [Double]) {
        key(name)
        raw("[" + values.map(Self.number).joined(separator: ",") + "]")
    }
    mutating func member(_ name: String, raw value: String) { key(name); raw(value) }
    mutating func member(_ name: String, strings values: [String]) {
        key(name)
        raw("[" + values.map(quote).joined(separator: ",") + "]")
    }

    private mutating func markValue() {
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
    }

    /// A JSON number, or null for NaN and infinities (which JSON cannot spell).
    static func number(_ value: Double) -> String { value.isFinite ? String(value) : "null" }

    func quote(_ text: String) -> String {
        ErrorBody.quoted(text)
    }
}
