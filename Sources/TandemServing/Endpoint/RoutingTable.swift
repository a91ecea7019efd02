import Synchronization
import Foundation

/// How a request was assigned to its variant (echoed in `X-Tandem-Routing`).
public enum RoutingRule: String, Sendable {
    /// `X-Amzn-SageMaker-Target-Variant` named it.
    case target
    /// The request's stateful session is bound to it.
    case session
    /// The sticky routing key hashed to it.
    case sticky
    /// A weighted random draw.
    case weighted
}

/// The production variants' traffic shares, and the assignment of requests to them.
///
/// Sticky keys use weighted rendezvous hashing: each variant scores `-ln(u) / weight` with
/// `u = hash(salt, key, variant)`, and the lowest score wins. A key lands on variant `v` with
/// probability `weight_v / sum(weights)`, the same key always lands on the same variant for the same
/// weights (on every restart and machine), and a weight change moves only the keys it must: raising
/// one variant's weight moves keys only to it; lowering it moves keys only away from it. (Cumulative
/// intervals would also shift keys between variants whose weights did not change once there are three.)
public struct RoutingTable: Sendable {
    /// One routable variant.
    public struct Entry: Sendable {
        public var name: String
        public var weight: Double
    }

    /// Variants that can take traffic (finite weight > 0 and not failed), in config order.
    public let entries: [Entry]
    /// The weights the arithmetic uses: the configured ones, unless their sum overflows (weights near
    /// `Double.greatestFiniteMagnitude`) or one is so small that `-ln(u) / weight` overflows (denormal weights,
    /// which sent every sticky key to the first variant). Then each is divided by the largest, into (0, 1]:
    /// the same shares and the same sticky order, since scaling every score by one factor keeps their order.
    private let weights: [Double]
    private let cumulative: [Double]
    private let total: Double
    private let salt: String

    /// Below this a sticky score `-ln(u) / weight` (with `-ln(u)` up to about 38) could overflow.
    static let smallestSafeWeight = 1e-300

    public init(entries: [Entry], salt: String) {
        self.entries = entries.filter { $0.weight > 0 && $0.weight.isFinite }
        let configured = self.entries.map(\.weight)
        let sum = configured.reduce(0, +)
        if sum.isFinite, configured.allSatisfy({ $0 >= Self.smallestSafeWeight }) {
            self.weights = configured
        } else {
            let largest = configured.max() ?? 1
            self.weights = configured.map { $0 / largest }
        }
        var running = 0.0
        var cumulative: [Double] = []
        for weight in weights {
            running += weight
            cumulative.append(running)
        }
        self.cumulative = cumulative
        self.total = running
        self.salt = salt
    }

    /// Why `weights` cannot route traffic, or nil when they can: every weight finite and >= 0, at least one
    /// above 0, and a finite sum. The one check for config files, reloads and the admin API.
    public static func problem(withWeights weights: [(name: String, weight: Double)]) -> String? {
        for (name, weight) in weights where !(weight.isFinite && weight >= 0) {
            return "weight for '\(name)' must be a finite number >= 0, got \(weight)"
        }
        guard weights.contains(where: { $0.weight > 0 }) else {
            return "at least one production variant needs a weight above 0"
        }
        let sum = weights.reduce(0.0) { $0 + $1.weight }
        guard sum.isFinite else { return "the weights' sum overflows a double (\(sum)); use smaller weights" }
        return nil
    }

    /// The share of traffic each entry gets (weight / sum of weights).
    public func share(of name: String) -> Double {
        guard total > 0, let index = entries.firstIndex(where: { $0.name == name }) else { return 0 }
        return weights[index] / total
    }

    /// The variant for a sticky key, or nil when no variant can take traffic.
    public func variant(forKey key: String) -> String? {
        var best: (name: String, score: Double)?
        for (entry, weight) in zip(entries, weights) {
            let u = StableHash.unit(StableHash.hash(salt, key, entry.name))
            let score = -log(u) / weight
            if let current = best, current.score <= score { continue }
            best = (entry.name, score)
        }
        return best?.name
    }

    /// The variant for a weighted random draw `u` in [0, 1).
    public func variant(forDraw u: Double) -> String? {
        guard total > 0 else { return nil }
        let point = u * total
        for (index, bound) in cumulative.enumerated() where point < bound {
            return entries[index].name
        }
        return entries.last?.name
    }
}

/// A lock-free source of uniform draws for weighted routing and shadow sampling: a shared counter
/// advanced by the golden-ratio increment and mixed with splitmix64 (statistically uniform, cheap from
/// any thread, seeded per process).
public final class RoutingRandom: Sendable {
    private let state: Atomic<UInt64>

    public init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        state = Atomic(seed)
    }

    /// A uniform value in [0, 1).
    public func next() -> Double {
        let s = state.wrappingAdd(0x9e37_79b9_7f4a_7c15, ordering: .relaxed).newValue
        return Double(StableHash.mix(s) >> 11) / 9_007_199_254_740_992.0
    }
}
