import Foundation
import TandemONNX

/// A load-test model defined by a small YAML file instead of ONNX: it spends a configured latency
/// (constant, lognormal from p50/p99, or uniform) sleeping or burning CPU, fails at a configured rate,
/// and answers deterministically: `s = mean(features)`, probabilities `[1 - sigmoid(s), sigmoid(s)]`,
/// label `1` when `sigmoid(s) > 0.5`.
public struct SyntheticModel: InferenceModel {
    /// The parsed `synthetic.yaml`.
    public struct Config: Sendable, Equatable {
        /// How the latency of one call is chosen.
        public enum Latency: Sendable, Equatable {
            case constant(Duration)
            case lognormal(p50: Duration, p99: Duration)
            case uniform(min: Duration, max: Duration)
        }

        /// How the latency is spent.
        public enum Mode: String, Sendable, Equatable {
            /// The worker thread sleeps (an I/O-bound or GPU-bound model).
            case sleep
            /// The worker thread spins (a CPU-bound model).
            case cpu
        }

        public var features: Int
        public var latency: Latency
        public var mode: Mode
        /// Probability in [0, 1] that a call fails with a model error (answered 500).
        public var errorRate: Double

        public init(features: Int, latency: Latency, mode: Mode, errorRate: Double) {
            self.features = features
            self.latency = latency
            self.mode = mode
            self.errorRate = errorRate
        }
    }

    public let config: Config
    public let signature: ModelSignature
    public var kind: String { "synthetic" }

    public init(config: Config) {
        self.config = config
        self.signature = ModelSignature(
            inputs: [.init(name: "input", elementType: .float, shape: [nil, config.features], featureCount: config.features)],
            outputs: [
                .init(name: "label", kind: .tensor(.int64), shape: [nil]),
                .init(name: "probabilities", kind: .tensor(.float), shape: [nil, 2]),
            ],
            task: .classification, classLabels: .int64([0, 1]), labelOutput: "label",
            scoresOutput: "probabilities", scoresAreProbabilities: true, valueOutput: nil)
    }

    public func predict(_ feeds: [String: Tensor], rows: Int) throws -> [String: Value] {
        spend(sampleLatency())
        if config.errorRate > 0, Double.random(in: 0..<1) < config.errorRate {
            throw ModelRunError(code: "synthetic_error", message: "synthetic model failed on purpose (error_rate \(config.errorRate))")
        }
        guard case .float(let x)? = feeds["input"]?.data else {
            throw ModelRunError(code: "bad_input", message: "synthetic model expects a float input named 'input'")
        }
        var labels = [Int64](repeating: 0, count: rows)
        var probabilities = [Float](repeating: 0, count: rows * 2)
        let width = config.features
        for row in 0..<rows {
            var sum: Float = 0
            for j in 0..<width { sum += x[row * width + j] }
            let s = sum / Float(max(width, 1))
            let p = 1 / (1 + exp(-s))
            probabilities[row * 2] = 1 - p
            probabilities[row * 2 + 1] = p
            labels[row] = p > 0.5 ? 1 : 0
        }
        return [
            "label": .tensor(Tensor(shape: [rows], data: .int64(labels))),
            "probabilities": .tensor(Tensor(shape: [rows, 2], data: .float(probabilities))),
        ]
    }

    /// One draw of the configured latency distribution.
    func sampleLatency() -> Duration {
        switch config.latency {
        case .constant(let d):
            return d
        case .uniform(let lo, let hi):
            let a = lo.seconds, b = hi.seconds
            return .seconds(a + (b - a) * Double.random(in: 0..<1))
        case .lognormal(let p50, let p99):
            // ln(latency) ~ N(mu, sigma): mu = ln(p50), sigma = (ln(p99) - mu) / z(0.99).
            let mu = log(max(p50.seconds, 1e-9))
            let sigma = max(0, (log(max(p99.seconds, 1e-9)) - mu) / 2.326_347_874)
            let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1)
            let u2 = Double.random(in: 0..<1)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return .seconds(exp(mu + sigma * z))
        }
    }

    private func spend(_ latency: Duration) {
        guard latency > .zero else { return }
        switch config.mode {
        case .sleep:
            Thread.sleep(forTimeInterval: latency.seconds)
        case .cpu:
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: latency)
            var x = 1.0
            while clock.now < deadline {
                for _ in 0..<1000 { x = x * 1.000_000_1 + 1e-9 }
            }
            blackHole(x)
        }
    }
}

@inline(never)
private func blackHole(_ value: Double) {
    if value.isNaN { print("", terminator: "") }
}
