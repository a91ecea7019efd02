import Foundation

/// Always-valid comparison of a variant with control: the asymptotic confidence sequence of Waudby-Smith et
/// al. (arXiv 2103.06476v7, eq. 155 and 161), as GrowthBook, Eppo and PostHog compute it. Unlike the
/// fixed-sample Welch interval, its coverage holds at every look at once, so the result may be watched after
/// every outcome and the experiment stopped the first time it excludes zero.
///
/// With `ρ = sqrt((−2 ln α + ln(1 − 2 ln α)) / S)` (S: the tuning parameter, "the sample size at which you
/// expect to decide"), `N` outcomes on the two arms together and `SE` the standard error of the estimate:
///
///     halfwidth = SE · sqrt(N) · sqrt( 2 (Nρ² + 1) ln( sqrt(Nρ² + 1) / α ) / (Nρ)² )
///     p         = min(1, sqrt(Nρ² + 1) · exp( −ρ² · (estimate² N / SE²) / (2 (Nρ² + 1)) ))
///
/// (`p < α` exactly when the interval excludes 0.) The absolute difference uses Welch's standard error; the
/// relative one (`mean_b / mean_a − 1`) the delta method's.
///
/// **Hybrid** (Eppo's "sequential hybrid"): with a planned sample size, a share of α (`hybridSequentialShare`)
/// is spent on the sequence while the experiment runs, and the rest on one fixed-sample Welch interval once
/// the planned number of outcomes is in: the union bound keeps the whole procedure at α, and the final
/// interval is only slightly wider than a plain fixed-sample one.
public enum AnytimeValidTest {
    /// How an experiment's always-valid statistics are computed.
    public struct Settings: Sendable, Equatable {
        /// The two-sided significance level.
        public var alpha: Double
        /// S: the sample size (both arms) at which the sequence is tightest. Keep it fixed for an experiment.
        public var tuning: Double
        /// Hybrid mode: the outcomes (both arms) after which the fixed-sample interval is reported.
        public var plannedOutcomes: Int?
        /// In hybrid mode, the share of α spent while running (the rest goes to the final interval).
        public var hybridSequentialShare: Double

        public static let defaultTuning = 5_000.0
        public static let defaultHybridSequentialShare = 0.2

        public init(alpha: Double = 0.05, tuning: Double = defaultTuning, plannedOutcomes: Int? = nil,
                    hybridSequentialShare: Double = defaultHybridSequentialShare) {
            self.alpha = alpha
            self.tuning = tuning
            self.plannedOutcomes = plannedOutcomes
            self.hybridSequentialShare = hybridSequentialShare
        }
    }

    /// Which interval a result is.
    public enum Method: String, Sendable {
        /// The confidence sequence (valid at every look).
        case sequential
        /// Hybrid mode past the planned sample: the fixed-sample interval at the α left for it.
        case fixedAtPlannedSample = "fixed_at_planned_sample"
    }

    /// One scale's estimate, interval and p-value.
    public struct Interval: Sendable, Equatable {
        public var estimate: Double
        public var lower: Double
        public var upper: Double
        public var pValue: Double
        /// True when the interval excludes 0 (`pValue < alpha used`).
        public var excludesZero: Bool { lower > 0 || upper < 0 }
    }

    /// The comparison on both scales. `relative` is nil when control's mean is 0 (no ratio to speak of).
    public struct Result: Sendable, Equatable {
        public var method: Method
        /// The α this result's interval was computed at (α itself, or its hybrid share).
        public var alphaUsed: Double
        public var absolute: Interval
        public var relative: Interval?
    }

    /// Compares `b` (the challenger) with `a` (control). Needs two outcomes on each side and some spread.
    public static func compare(_ a: OutcomeStats, _ b: OutcomeStats, _ settings: Settings) -> Result? {
        guard a.count >= 2, b.count >= 2, a.isFinite, b.isFinite else { return nil }
        guard settings.alpha > 0, settings.alpha < 1, settings.tuning > 0 else { return nil }
        let n = Double(a.count + b.count)
        let va = a.variance / Double(a.count), vb = b.variance / Double(b.count)
        let absoluteVariance = va + vb
        guard absoluteVariance > 0, absoluteVariance.isFinite else { return nil }
        let difference = b.mean - a.mean
        var relativeEstimate: Double?, relativeVariance: Double?
        if a.mean != 0 {
            let ratio = b.mean / a.mean
            let variance = vb / (a.mean * a.mean) + ratio * ratio * va / (a.mean * a.mean)
            if ratio.isFinite, variance.isFinite, variance > 0 { (relativeEstimate, relativeVariance) = (ratio - 1, variance) }
        }
        if let planned = settings.plannedOutcomes, a.count + b.count >= planned {
            let alpha = settings.alpha * (1 - settings.hybridSequentialShare)
            guard let absolute = fixed(difference, absoluteVariance, a, b, alpha: alpha) else { return nil }
            let relative = relativeEstimate.flatMap { estimate in
                relativeVariance.flatMap { fixed(estimate, $0, a, b, alpha: alpha) }
            }
            return Result(method: .fixedAtPlannedSample, alphaUsed: alpha, absolute: absolute, relative: relative)
        }
        let alpha = settings.plannedOutcomes == nil ? settings.alpha : settings.alpha * settings.hybridSequentialShare
        let rho2 = rhoSquared(alpha: alpha, tuning: settings.tuning)
        guard let absolute = sequence(difference, absoluteVariance, n: n, rho2: rho2, alpha: alpha) else { return nil }
        let relative = relativeEstimate.flatMap { estimate in
            relativeVariance.flatMap { sequence(estimate, $0, n: n, rho2: rho2, alpha: alpha) }
        }
        return Result(method: .sequential, alphaUsed: alpha, absolute: absolute, relative: relative)
    }

    /// ρ² for a two-sided sequence at `alpha` tuned for `tuning` outcomes (eq. 161).
    public static func rhoSquared(alpha: Double, tuning: Double) -> Double {
        (-2 * log(alpha) + log(1 - 2 * log(alpha))) / tuning
    }

    /// The confidence sequence and always-valid p-value for `estimate` with squared standard error `variance`.
    static func sequence(_ estimate: Double, _ variance: Double, n: Double, rho2: Double, alpha: Double) -> Interval? {
        let nRho2 = n * rho2
        let widthTerm = 2 * (nRho2 + 1) * log((nRho2 + 1).squareRoot() / alpha) / (n * nRho2)  // (Nρ)² = N · Nρ²
        let halfwidth = (variance * n).squareRoot() * widthTerm.squareRoot()
        // log of the e-value: ρ² · st² / (2 (Nρ² + 1)) − ln sqrt(Nρ² + 1), st² = estimate² N / SE².
        let st2 = estimate * estimate * n / variance
        let logE = rho2 * st2 / (2 * (nRho2 + 1)) - 0.5 * log(nRho2 + 1)
        let p = min(1, exp(-logE))
        guard halfwidth.isFinite, p.isFinite else { return nil }
        return Interval(estimate: estimate, lower: estimate - halfwidth, upper: estimate + halfwidth, pValue: p)
    }

    /// The fixed-sample interval and two-sided p-value at `alpha`, Welch's degrees of freedom.
    static func fixed(_ estimate: Double, _ variance: Double, _ a: OutcomeStats, _ b: OutcomeStats, alpha: Double)
        -> Interval?
    {
        let va = a.variance / Double(a.count), vb = b.variance / Double(b.count)
        let spread = va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1)
        let dof = (va + vb) * (va + vb) / spread
        guard dof.isFinite, dof > 0 else { return nil }
        let se = variance.squareRoot()
        let t = estimate / se
        let p = WelchTest.twoSidedP(t, dof)
        let critical = WelchTest.criticalValue(alpha: alpha, dof)
        let lower = estimate - critical * se, upper = estimate + critical * se
        guard p.isFinite, lower.isFinite, upper.isFinite else { return nil }
        return Interval(estimate: estimate, lower: lower, upper: upper, pValue: p)
    }
}
