/// Parses a synthetic model's `synthetic.yaml`.
///
/// ```yaml
/// features: 30                 # input width (float)
/// latency_ms: 50               # constant latency, or:
/// # latency: {p50_ms: 20, p99_ms: 120}   lognormal fitted to p50 and p99
/// # latency: {min_ms: 10, max_ms: 30}    uniform
/// mode: sleep                  # sleep (default) | cpu
/// error_rate: 0.0              # share of calls that fail with a model error
/// ```
enum SyntheticModelConfig {
    static func parse(_ text: String, file: String) throws(ConfigError) -> SyntheticModel.Config {
        let root = try ConfigNode.parse(text, file: file)
        _ = try root.keys(allowed: ["features", "latency_ms", "latency", "mode", "error_rate"])
        let features = try root["features"].int(default: 1, min: 1)
        let latency: SyntheticModel.Config.Latency
        let node = root["latency"]
        if !node.isMissing {
            let keys = Set(try node.keys(allowed: ["p50_ms", "p99_ms", "min_ms", "max_ms"]))
            if keys == ["p50_ms", "p99_ms"] {
                let p50 = try node["p50_ms"].double(min: 0), p99 = try node["p99_ms"].double(min: 0)
                guard p99 >= p50 else { throw node.fail("p99_ms (\(p99)) must be >= p50_ms (\(p50))") }
                latency = .lognormal(p50: .microseconds(Int64(p50 * 1000)), p99: .microseconds(Int64(p99 * 1000)))
            } else if keys == ["min_ms", "max_ms"] {
                let lo = try node["min_ms"].double(min: 0), hi = try node["max_ms"].double(min: 0)
                guard hi >= lo else { throw node.fail("max_ms (\(hi)) must be >= min_ms (\(lo))") }
                latency = .uniform(min: .microseconds(Int64(lo * 1000)), max: .microseconds(Int64(hi * 1000)))
            } else {
                throw node.fail("give either p50_ms and p99_ms (lognormal) or min_ms and max_ms (uniform)")
            }
        } else {
            latency = .constant(try root["latency_ms"].milliseconds(default: .zero) ?? .zero)
        }
        let modeText = try root["mode"].string(default: "sleep")
        guard let mode = SyntheticModel.Config.Mode(rawValue: modeText) else {
            throw root["mode"].fail("expected sleep or cpu, got \"\(modeText)\"")
        }
        let errorRate = try root["error_rate"].double(default: 0, min: 0, max: 1)
        return SyntheticModel.Config(features: features, latency: latency, mode: mode, errorRate: errorRate)
    }
}
