import Foundation

/// Pearson's chi-square goodness-of-fit test, for checking an observed traffic split against the
/// configured one.
public enum ChiSquare {
    /// The statistic `sum((observed - expected)^2 / expected)` over categories whose expected share is
    /// above 0, and its degrees of freedom (categories - 1). `shares` need not sum to 1.
    public static func statistic(observed: [Int], shares: [Double]) -> (value: Double, degreesOfFreedom: Int) {
        let total = Double(observed.reduce(0, +))
        let shareSum = shares.reduce(0) { $0 + max($1, 0) }
        guard total > 0, shareSum > 0 else { return (0, 0) }
        var value = 0.0
        var categories = 0
        for (count, share) in zip(observed, shares) {
            guard share > 0 else {
                // Traffic on a category expected to get none is a mismatch no finite statistic describes.
                if count > 0 { value = .infinity }
                continue
            }
            let expected = total * share / shareSum
            value += (Double(count) - expected) * (Double(count) - expected) / expected
            categories += 1
        }
        return (value, value.isInfinite ? max(categories - 1, 1) : max(categories - 1, 0))
    }

    /// P(X >= value) for X ~ chi-square with `degreesOfFreedom` (the test's p-value): the regularized upper
    /// incomplete gamma function Q(k/2, x/2).
    public static func pValue(_ value: Double, degreesOfFreedom: Int) -> Double {
        guard degreesOfFreedom > 0 else { return 1 }
        guard value.isFinite else { return 0 }
        guard value > 0 else { return 1 }
        return upperRegularizedGamma(Double(degreesOfFreedom) / 2, value / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): the power series of P for x < a + 1, else the continued fraction of Q
    /// (evaluated with the modified Lentz method); both converge fast in their ranges.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefix = a * Foundation.log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = a
            for _ in 0..<1000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, min(1, 1 - sum * exp(logPrefix)))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...1000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            h *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return max(0, min(1, exp(logPrefix) * h))
    }
}
