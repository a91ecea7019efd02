import Foundation

/// Welch's two-sample t-test on summary statistics: does a variant's mean outcome differ from control's?
/// Suits conversion rates (0/1 outcomes) and continuous outcomes (revenue, latency) alike, without assuming
/// equal variances.
public enum WelchTest {
    /// The difference `mean(b) - mean(a)`, its 95% confidence interval and the two-sided p-value.
    public struct Result: Sendable, Equatable {
        public var difference: Double
        public var lower95: Double
        public var upper95: Double
        public var pValue: Double
        public var degreesOfFreedom: Double
    }

    /// What a comparison could say.
    public enum Comparison: Sendable, Equatable {
        /// Fewer than two outcomes on either side.
        case insufficientData
        /// The outcomes are so large that a mean, variance or the test statistic overflows a Double: no verdict
        /// is given rather than a wrong one.
        case notComputable
        case computed(Result)

        /// The result, if one was computed.
        public var result: Result? {
            if case .computed(let result) = self { return result }
            return nil
        }
    }

    public static func compare(_ a: OutcomeStats, _ b: OutcomeStats) -> Comparison {
        guard a.count >= 2, b.count >= 2 else { return .insufficientData }
        guard a.isFinite, b.isFinite else { return .notComputable }
        let va = a.variance / Double(a.count), vb = b.variance / Double(b.count)
        let standardError = (va + vb).squareRoot()
        let difference = b.mean - a.mean
        guard standardError.isFinite, difference.isFinite else { return .notComputable }
        guard standardError > 0 else {
            // No spread on either side: identical means are no evidence, different ones are certain.
            return .computed(Result(difference: difference, lower95: difference, upper95: difference,
                                    pValue: difference == 0 ? 1 : 0, degreesOfFreedom: .infinity))
        }
        let spread: Double = va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1)
        let dof: Double = (va + vb) * (va + vb) / spread
        let t = difference / standardError
        // va * va can overflow (or underflow to 0) even when va is finite: then dof is inf or NaN.
        guard dof.isFinite, dof > 0, t.isFinite else { return .notComputable }
        let p = twoSidedP(t, dof)
        let critical = criticalValue95(dof)
        let lower = difference - critical * standardError, upper = difference + critical * standardError
        guard p.isFinite, lower.isFinite, upper.isFinite else { return .notComputable }
        return .computed(Result(difference: difference, lower95: lower, upper95: upper, pValue: p,
                                degreesOfFreedom: dof))
    }

    /// P(|T| >= |t|) for Student's t with `dof` degrees of freedom: I_{dof/(dof+t^2)}(dof/2, 1/2).
    static func twoSidedP(_ t: Double, _ dof: Double) -> Double {
        guard t.isFinite else { return 0 }
        return min(1, max(0, regularizedIncompleteBeta(dof / (dof + t * t), dof / 2, 0.5)))
    }

    /// The t value with 2.5% in each tail.
    static func criticalValue95(_ dof: Double) -> Double {
        criticalValue(alpha: 0.05, dof)
    }

    /// The t value with `alpha / 2` in each tail (bisection on `twoSidedP`).
    static func criticalValue(alpha: Double, _ dof: Double) -> Double {
        var low = 0.0, high = 1000.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if twoSidedP(mid, dof) > alpha { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// I_x(a, b), by the continued fraction (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
    /// where the fraction converges slowly.
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let logFront = logGammas + logPowers
        if x > (a + 1) / (a + b + 2) {
            return 1 - regularizedIncompleteBeta(1 - x, b, a)
        }
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m)
            let even: Double = (a + 2 * m - 1) * (a + 2 * m)
            var numerator: Double = m * (b - m) * x / even
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            let odd: Double = (a + 2 * m) * (a + 2 * m + 1)
            numerator = -(a + m) * (a + b + m) * x / odd
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return exp(logFront) * h / a
    }
}

/// Count, mean and variance of a stream of outcomes (Welford's update: stable for long streams).
public struct OutcomeStats: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var mean = 0.0
    private var squares = 0.0

    public init() {}

    /// Statistics summarised elsewhere (the ledger's database): `squaredDeviations` is the sum of squared
    /// differences from the mean.
    public init(count: Int, mean: Double, squaredDeviations: Double) {
        self.count = max(0, count)
        self.mean = mean
        self.squares = max(0, squaredDeviations)
    }

    public mutating func add(_ value: Double) {
        count += 1
        let delta = value - mean
        mean += delta / Double(count)
        squares += delta * (value - mean)
    }

    /// Whether the mean and variance are finite (false once huge outcomes overflowed them).
    public var isFinite: Bool { mean.isFinite && squares.isFinite }

    /// The sample variance (n - 1 in the denominator); 0 below two outcomes.
    public var variance: Double { count > 1 ? squares / Double(count - 1) : 0 }
}
