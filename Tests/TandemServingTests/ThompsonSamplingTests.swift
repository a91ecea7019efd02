import Testing
@testable import TandemServing

@Suite("Thompson sampling weights")
struct ThompsonSamplingTests {
    static func stats(successes: Int, of n: Int) -> OutcomeStats {
        var s = OutcomeStats()
        for i in 0..<n { s.add(i < successes ? 1 : 0) }
        return s
    }

    @Test func aClearlyBetterArmTakesTheTrafficAndTheOthersKeepTheirFloor() {
        var rng = SplitMix(seed: 3)
        let arms = [Self.stats(successes: 100, of: 1_000), Self.stats(successes: 200, of: 1_000), Self.stats(successes: 110, of: 1_000)]
        let weights = ThompsonSampling.weights(arms, metric: .binary, floor: 0.05, draws: 4_000, using: &rng)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-12)
        #expect(weights[1] > 0.85)
        #expect(weights[0] >= 0.05 - 1e-12 && weights[2] >= 0.05 - 1e-12)
        // Lower is better flips the winner.
        let lower = ThompsonSampling.weights(arms, metric: .binary, floor: 0.05, draws: 4_000, higherIsBetter: false, using: &rng)
        #expect(lower[1] < 0.06)
    }

    @Test func continuousOutcomesAndUnknownArms() {
        var rng = SplitMix(seed: 4)
        var a = OutcomeStats(), b = OutcomeStats()
        for i in 0..<500 { a.add(Double(i % 10)); b.add(Double(i % 10) + 2) }
        let weights = ThompsonSampling.weights([a, b, OutcomeStats()], metric: .continuous, floor: 0.01, draws: 2_000, using: &rng)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-12)
        #expect(weights[1] > weights[0])
        #expect(weights[2] >= 0.01 - 1e-12)  // an arm without data is still explored
    }

    @Test func flooringKeepsTheSumAndTheFloor() {
        let w = ThompsonSampling.floored([1, 0, 0, 0], floor: 0.1)
        #expect(abs(w.reduce(0, +) - 1) < 1e-12 && abs(w[1] - 0.1) < 1e-12 && abs(w[0] - 0.7) < 1e-12)
        #expect(ThompsonSampling.floored([0, 0], floor: 0.9) == [0.5, 0.5])
    }

    @Test func betaDrawsHaveTheRightMean() {
        var rng = SplitMix(seed: 8)
        var sum = 0.0
        for _ in 0..<20_000 { sum += ThompsonSampling.beta(3, 7, using: &rng) }
        #expect(abs(sum / 20_000 - 0.3) < 0.01)
        var small = 0.0
        for _ in 0..<20_000 { small += ThompsonSampling.gamma(0.5, using: &rng) }
        #expect(abs(small / 20_000 - 0.5) < 0.03)
    }
}
