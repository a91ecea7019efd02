import Foundation

/// Thompson sampling weights for a multi-armed bandit over the production variants: each arm's weight is the
/// posterior probability that it is the best, estimated from `draws` joint posterior draws (GrowthBook's
/// bandits), then floored so every arm keeps at least `floor` of the traffic.
///
/// Posteriors: binary outcomes, Beta(1 + successes, 1 + failures) (Seldon's Thompson router); continuous ones,
/// Normal(mean, variance / n), with an arm of fewer than two outcomes drawn from a wide Normal around the
/// others' mean so it is still explored.
public enum ThompsonSampling {
    /// Weights (summing to 1) in `arms` order; `higherIsBetter` says which way is best.
    public static func weights<G: RandomNumberGenerator>(
        _ arms: [OutcomeStats], metric: OutcomeMetric, floor: Double, draws: Int = 10_000, higherIsBetter: Bool = true,
        using generator: inout G
    ) -> [Double] {
        let k = arms.count
        guard k > 0 else { return [] }
        guard k > 1 else { return [1] }
        var wins = [Int](repeating: 0, count: k)
        let known = arms.filter { $0.count >= 2 }
        let pooledMean = known.isEmpty ? 0 : known.map(\.mean).reduce(0, +) / Double(known.count)
        let pooledSpread = max(1, known.map { $0.variance.squareRoot() }.max() ?? 1) * 10
        for _ in 0..<max(1, draws) {
            var best = 0
            var bestValue = -Double.infinity
            for (index, arm) in arms.enumerated() {
                var value: Double
                switch metric {
                case .binary:
                    let successes = arm.mean * Double(arm.count)
                    value = beta(1 + successes, 1 + Double(arm.count) - successes, using: &generator)
                case .continuous:
                    if arm.count >= 2 {
                        let sd = (arm.variance / Double(arm.count)).squareRoot()
                        value = arm.mean + sd * normal(using: &generator)
                    } else {
                        value = pooledMean + pooledSpread * normal(using: &generator)
                    }
                }
                if !higherIsBetter { value = -value }
                if value > bestValue { (best, bestValue) = (index, value) }
            }
            wins[best] += 1
        }
        let probabilities = wins.map { Double($0) / Double(max(1, draws)) }
        return floored(probabilities, floor: floor)
    }

    /// `floor + (1 − k·floor) · p` for each arm: every arm keeps `floor`, the rest follows `p`; sums to 1.
    public static func floored(_ probabilities: [Double], floor: Double) -> [Double] {
        let k = Double(probabilities.count)
        let f = min(max(0, floor), 1 / k)
        let total = probabilities.reduce(0, +)
        return probabilities.map { f + (1 - k * f) * (total > 0 ? $0 / total : 1 / k) }
    }

    /// A standard normal draw (Box-Muller).
    static func normal<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
        let v = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 boosted by U^(1/shape)).
    static func gamma<G: RandomNumberGenerator>(_ shape: Double, using generator: inout G) -> Double {
        if shape < 1 {
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
            return gamma(shape + 1, using: &generator) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal(using: &generator)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// A Beta(a, b) draw.
    static func beta<G: RandomNumberGenerator>(_ a: Double, _ b: Double, using generator: inout G) -> Double {
        let x = gamma(a, using: &generator), y = gamma(b, using: &generator)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}
