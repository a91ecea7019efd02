import Foundation
import Testing
@testable import TandemServing

/// The always-valid statistics: the numbers equal an independent numpy/scipy computation on the same data
/// (`scripts/reference/anytime_valid.py` prints them), and seeded simulations show what they are for: with a
/// look after every outcome, an A/A test crosses α in at most α of runs with the confidence sequence, and in
/// far more with the fixed-sample test; a real effect is still found.
@Suite("Always-valid statistics (confidence sequences, sequential sample-ratio check)")
struct AnytimeValidTests {
    static func stats(_ values: [Double]) -> OutcomeStats {
        var s = OutcomeStats()
        for v in values { s.add(v) }
        return s
    }
    static let continuousA = (0..<57).map { Double(($0 * 7919) % 100) / 10 }
    static let continuousB = (0..<61).map { Double(($0 * 104729) % 113) / 10 + 0.5 }
    static let binaryA = (0..<203).map { $0 < 25 ? 1.0 : 0 }
    static let binaryB = (0..<197).map { $0 < 34 ? 1.0 : 0 }

    static func close(_ interval: AnytimeValidTest.Interval?, _ expected: [Double], tolerance: Double = 1e-9) -> Bool {
        guard let interval else { return false }
        let got = [interval.estimate, interval.lower, interval.upper, interval.pValue]
        return zip(got, expected).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    @Test func confidenceSequenceMatchesThePythonReference() throws {
        let a = Self.stats(Self.continuousA), b = Self.stats(Self.continuousB)
        let result = try #require(AnytimeValidTest.compare(a, b, .init()))
        #expect(result.method == .sequential)
        #expect(Self.close(result.absolute, [1.050532067874606, -2.5128561549579502, 4.613920290707162, 0.83360538645947]))
        #expect(Self.close(result.relative, [0.21204082106534194, -0.5804766725255567, 1.0045583146562405, 0.8739293479654534]))
        let tuned = try #require(AnytimeValidTest.compare(a, b, .init(tuning: 100)))
        #expect(Self.close(tuned.absolute, [1.050532067874606, -0.6804585175083593, 2.7815226532575714, 0.6943070413168645]))

        let ba = Self.stats(Self.binaryA), bb = Self.stats(Self.binaryB)
        let binary = try #require(AnytimeValidTest.compare(ba, bb, .init()))
        #expect(Self.close(binary.absolute, [0.04943612312770372, -0.09577976901721537, 0.19465201527262282, 0.8781973458842572]))
        #expect(Self.close(binary.relative, [0.4014213197969543, -0.997735518396029, 1.8005781579899376, 0.9791890098662871]))
        let binaryTuned = try #require(AnytimeValidTest.compare(ba, bb, .init(tuning: 100)))
        #expect(Self.close(binaryTuned.absolute, [0.04943612312770372, -0.06170478721000382, 0.16057703346541125, 1.0]))
    }

    /// Hybrid: α·0.2 on the sequence before the planned sample, Welch's interval at α·0.8 from it on.
    @Test func hybridSwitchesToTheFixedIntervalAtThePlannedSample() throws {
        let a = Self.stats(Self.continuousA), b = Self.stats(Self.continuousB)
        let before = try #require(AnytimeValidTest.compare(a, b, .init(plannedOutcomes: 1_000)))
        #expect(before.method == .sequential && abs(before.alphaUsed - 0.01) < 1e-15)
        #expect(Self.close(before.absolute, [1.050532067874606, -2.738436109815739, 4.839500245564951, 0.784352565806424]))
        let after = try #require(AnytimeValidTest.compare(a, b, .init(plannedOutcomes: 100)))
        #expect(after.method == .fixedAtPlannedSample && abs(after.alphaUsed - 0.04) < 1e-15)
        #expect(Self.close(after.absolute, [1.050532067874606, -0.13364079211735325, 2.234704927866565, 0.06792668515758403],
                           tolerance: 1e-8))
        let binary = try #require(AnytimeValidTest.compare(Self.stats(Self.binaryA), Self.stats(Self.binaryB),
                                                           .init(plannedOutcomes: 400)))
        #expect(Self.close(binary.absolute, [0.04943612312770372, -0.02380311853917906, 0.1226753647945865, 0.16503721406247984],
                           tolerance: 1e-8))
    }

    @Test func noVerdictWithoutDataOrSpread() {
        let one = Self.stats([1]), flat = Self.stats([2, 2, 2])
        #expect(AnytimeValidTest.compare(one, Self.stats(Self.continuousB), .init()) == nil)
        #expect(AnytimeValidTest.compare(flat, flat, .init()) == nil)
        let zeroControl = Self.stats([0, 0, 0]), some = Self.stats([1, 0, 1])
        let result = AnytimeValidTest.compare(zeroControl, some, .init())
        #expect(result != nil && result?.relative == nil)  // no ratio to a zero mean
    }

    /// p < α exactly when the sequence excludes 0, at every sample size.
    @Test func pValueAndIntervalAgree() {
        var rng = SplitMix(seed: 7)
        var a = OutcomeStats(), b = OutcomeStats()
        for _ in 0..<3_000 {
            a.add(rng.normal())
            b.add(rng.normal() + 0.15)
            guard let result = AnytimeValidTest.compare(a, b, .init()) else { continue }
            #expect((result.absolute.pValue < 0.05) == result.absolute.excludesZero)
        }
    }

    /// A/A, a look after every outcome from the second on each arm: the always-valid p-value crosses 0.05 in
    /// at most 5% of runs; the fixed-sample test (z at 1.96) in far more. Binary and continuous outcomes.
    @Test(arguments: [false, true]) func aaPeekingAfterEveryOutcome(binary: Bool) {
        let runs = 150, outcomes = 1_000
        var rng = SplitMix(seed: binary ? 11 : 12)
        var sequentialCrossed = 0, fixedCrossed = 0
        for _ in 0..<runs {
            var a = OutcomeStats(), b = OutcomeStats()
            var sequential = false, fixed = false
            for _ in 0..<outcomes {
                let value = binary ? (rng.uniform() < 0.3 ? 1.0 : 0) : rng.normal()
                if rng.uniform() < 0.5 { a.add(value) } else { b.add(value) }
                guard a.count >= 2, b.count >= 2 else { continue }
                if !sequential, let result = AnytimeValidTest.compare(a, b, .init()), result.absolute.pValue < 0.05 {
                    sequential = true
                }
                let se = (a.variance / Double(a.count) + b.variance / Double(b.count)).squareRoot()
                if se > 0, abs(b.mean - a.mean) / se > 1.96 { fixed = true }
            }
            if sequential { sequentialCrossed += 1 }
            if fixed { fixedCrossed += 1 }
        }
        #expect(Double(sequentialCrossed) <= 0.05 * Double(runs), "always-valid crossed in \(sequentialCrossed) of \(runs)")
        #expect(Double(fixedCrossed) >= 0.25 * Double(runs), "fixed-sample crossed in \(fixedCrossed) of \(runs)")
    }

    /// A/B with a real effect (conversion 30% against 36%): the sequence finds it, in nearly every run.
    @Test func realEffectIsDetected() {
        let runs = 20
        var rng = SplitMix(seed: 99)
        var detected = 0
        for _ in 0..<runs {
            var a = OutcomeStats(), b = OutcomeStats()
            for _ in 0..<6_000 {
                if rng.uniform() < 0.5 { a.add(rng.uniform() < 0.30 ? 1 : 0) } else { b.add(rng.uniform() < 0.36 ? 1 : 0) }
            }
            if let result = AnytimeValidTest.compare(a, b, .init()), result.absolute.lower > 0 { detected += 1 }
        }
        #expect(detected >= runs * 9 / 10, "detected in \(detected) of \(runs)")
    }

    // MARK: sequential sample-ratio check

    static func assignments() -> [Int] {
        (0..<1_000).map { k in (k * 7) % 10 < 5 ? 0 : ((k * 7) % 10 < 8 ? 1 : 2) }
    }

    @Test func sequentialSampleRatioMatchesThePythonReference() {
        var fair = SequentialSampleRatio(shares: [0.5, 0.3, 0.2])
        for arm in Self.assignments() { fair.observe(arm) }
        #expect(fair.pValue == 1)
        let closed = SequentialSampleRatio.logBayesFactor(counts: fair.counts, shares: fair.shares, concentration: 10_000)
        #expect(abs(closed - fair.logBayesFactor) < 1e-8)
        var skewed = fair
        for _ in 0..<200 { skewed.observe(0) }
        #expect(abs(skewed.pValue - 0.18606824453820667) < 1e-9)
        for _ in 0..<400 { skewed.observe(0) }
        #expect(abs(skewed.pValue - 2.0430862441517184e-07) / 2.0430862441517184e-07 < 1e-6)
        var impossible = SequentialSampleRatio(shares: [1, 0])
        impossible.observe(1)
        #expect(impossible.pValue == 0)
    }

    /// A/A for the split: right shares, a look after every request, and the p-value drops below 0.05 in at most
    /// 5% of runs, across a weight change too (a new period).
    @Test func sequentialSampleRatioHoldsItsLevelUnderContinuousLooks() {
        var rng = SplitMix(seed: 5)
        let runs = 150
        var alarms = 0, chiSquareAlarms = 0
        for _ in 0..<runs {
            var check = SequentialSampleRatio(shares: [0.5, 0.5])
            var counts = [0, 0]
            var chiAlarm = false
            for step in 0..<2_000 {
                if step == 1_000 { check.expect([0.8, 0.2]); counts = [0, 0] }
                let share = step < 1_000 ? 0.5 : 0.8
                let arm = rng.uniform() < share ? 0 : 1
                check.observe(arm)
                counts[arm] += 1
                if !chiAlarm, step % 10 == 0, counts.reduce(0, +) >= 20 {
                    let (value, dof) = ChiSquare.statistic(observed: counts, shares: step < 1_000 ? [0.5, 0.5] : [0.8, 0.2])
                    if ChiSquare.pValue(value, degreesOfFreedom: dof) < 0.05 { chiAlarm = true }
                }
            }
            if check.pValue < 0.05 { alarms += 1 }
            if chiAlarm { chiSquareAlarms += 1 }
        }
        #expect(Double(alarms) <= 0.05 * Double(runs), "sequential SRM alarmed in \(alarms) of \(runs)")
        #expect(chiSquareAlarms > alarms, "chi-square with repeated looks: \(chiSquareAlarms)")
    }

    /// A split that is really off is caught.
    @Test func sequentialSampleRatioCatchesARealMismatch() {
        var rng = SplitMix(seed: 6)
        var check = SequentialSampleRatio(shares: [0.5, 0.5])
        for _ in 0..<20_000 { check.observe(rng.uniform() < 0.53 ? 0 : 1) }
        #expect(check.pValue < 0.001)
    }

    /// The split check carries its sequential evidence across a weight change, and restarts on a new variant set.
    @Test func trafficSplitCheckCarriesTheSequentialStateOverWeightChanges() {
        let first = TrafficSplitCheck(names: ["a", "b"], expectedShares: [0.5, 0.5])
        for _ in 0..<3_000 { first.recordWeighted("a") }
        #expect(first.report().sequentialMismatch)
        let second = TrafficSplitCheck(names: ["a", "b"], expectedShares: [0.9, 0.1], continuing: first)
        #expect(second.report().sequentialMismatch && second.report().sequentialRequests == 3_000)
        #expect(second.report().total == 0)
        let other = TrafficSplitCheck(names: ["a", "c"], expectedShares: [0.5, 0.5], continuing: first)
        #expect(!other.report().sequentialMismatch)
    }
}

/// A seeded generator (SplitMix64), so the simulations give the same runs everywhere.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Standard normal (Box-Muller).
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
