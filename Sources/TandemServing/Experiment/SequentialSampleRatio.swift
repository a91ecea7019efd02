import Foundation

/// The anytime-valid sample-ratio check (Lindon, Semmens & Gotwalt 2022; GrowthBook's sequential SRM): the
/// Bayes factor of a Dirichlet-multinomial alternative against the multinomial with the expected shares `p0`,
/// updated with each assignment, and `p = min(1, min over time of 1/BF)`. By Ville's inequality the chance
/// that this ever drops below α when the split is right is at most α, so it may be checked after every
/// request, unlike the chi-square test.
///
/// The prior is Dirichlet(`concentration · p0`). One assignment to arm `i`, with `x_i` earlier ones there and
/// `n` in all, multiplies the Bayes factor by `(c·p0_i + x_i) / ((c + n) · p0_i)`: O(1) per request.
///
/// Expected shares may change (a weight change, a reload, a bandit's new weights): `expect(_:)` starts a new
/// period with a fresh prior. The Bayes factor carried over is the product of the finished periods' and the
/// running one's, which is still a test martingale under the null, so the running minimum stays valid across
/// the whole experiment.
public struct SequentialSampleRatio: Sendable, Equatable {
    /// GrowthBook's default prior concentration.
    public static let defaultConcentration = 10_000.0

    public let concentration: Double
    /// The current period's expected shares (normalised) and counts.
    public private(set) var shares: [Double]
    public private(set) var counts: [Int]
    /// log BF of everything so far: the finished periods' and the running one's.
    public private(set) var logBayesFactor = 0.0
    /// The largest log BF seen: `p = min(1, exp(−maxLogBF))`.
    public private(set) var maxLogBayesFactor = 0.0
    /// Assignments counted over every period.
    public private(set) var total = 0

    public init(shares: [Double], concentration: Double = defaultConcentration) {
        self.concentration = concentration > 0 ? concentration : Self.defaultConcentration
        self.shares = []
        self.counts = []
        expect(shares)
    }

    /// Starts a new period with these expected shares (need not sum to 1; negative ones count as 0).
    public mutating func expect(_ newShares: [Double]) {
        let clean = newShares.map { $0.isFinite ? max($0, 0) : 0 }
        let sum = clean.reduce(0, +)
        shares = sum > 0 ? clean.map { $0 / sum } : clean
        counts = Array(repeating: 0, count: clean.count)
    }

    /// One assignment to arm `index`.
    public mutating func observe(_ index: Int) {
        guard counts.indices.contains(index) else { return }
        total += 1
        let share = shares[index]
        let n = Double(counts.reduce(0, +))
        counts[index] += 1
        guard share > 0 else {
            // Traffic where none was expected: the null is impossible, the evidence against it unbounded.
            logBayesFactor = .infinity
            maxLogBayesFactor = .infinity
            return
        }
        let prior = concentration * share
        let x = Double(counts[index] - 1)
        logBayesFactor += log(prior + x) - log(concentration + n) - log(share)
        if logBayesFactor > maxLogBayesFactor { maxLogBayesFactor = logBayesFactor }
    }

    /// The always-valid p-value: `min(1, min over time of 1/BF)`.
    public var pValue: Double { maxLogBayesFactor.isInfinite ? 0 : min(1, exp(-maxLogBayesFactor)) }

    /// The current period's log Bayes factor, from its counts alone (the closed form; for checking the update).
    public static func logBayesFactor(counts: [Int], shares: [Double], concentration: Double) -> Double {
        let alphas = shares.map { concentration * $0 }
        let n = Double(counts.reduce(0, +))
        var value = lgamma(concentration) - lgamma(concentration + n)
        for (count, (alpha, share)) in zip(counts, zip(alphas, shares)) where count > 0 {
            value += lgamma(alpha + Double(count)) - lgamma(alpha) - Double(count) * log(share)
        }
        return value
    }
}
