import Testing

@testable import TandemServing

/// Shares, sticky stability, minimal movement on weight change and zero-weight exclusion.
@Suite struct RoutingTableTests {
    static let keys = (0..<20_000).map { "user-\($0)" }

    func table(_ weights: [(String, Double)], salt: String = "salt") -> RoutingTable {
        RoutingTable(entries: weights.map { RoutingTable.Entry(name: $0.0, weight: $0.1) }, salt: salt)
    }

    func assignment(_ table: RoutingTable, keys: [String] = keys) -> [String: String] {
        var result: [String: String] = [:]
        for key in keys { result[key] = table.variant(forKey: key) }
        return result
    }

    @Test func sharesAreWeightOverTotal() {
        let t = table([("a", 3), ("b", 1)])
        #expect(t.share(of: "a") == 0.75)
        #expect(t.share(of: "b") == 0.25)
        #expect(t.share(of: "missing") == 0)
    }

    @Test func zeroWeightsAreExcluded() {
        let t = table([("a", 1), ("zero", 0), ("b", 1)])
        #expect(t.entries.map(\.name) == ["a", "b"])
        #expect(t.share(of: "zero") == 0)
        for key in Self.keys.prefix(2000) { #expect(t.variant(forKey: key) != "zero") }
        for i in 0..<1000 { #expect(t.variant(forDraw: Double(i) / 1000) != "zero") }
    }

    @Test func emptyTableRoutesNowhere() {
        let t = table([("a", 0)])
        #expect(t.entries.isEmpty)
        #expect(t.variant(forKey: "k") == nil)
        #expect(t.variant(forDraw: 0.5) == nil)
        #expect(t.share(of: "a") == 0)
    }

    @Test func drawsSplitExactlyByWeight() {
        let t = table([("control", 0.8), ("challenger", 0.2)])
        var counts: [String: Int] = [:]
        let n = 10_000
        for i in 0..<n { counts[t.variant(forDraw: (Double(i) + 0.5) / Double(n)) ?? "none", default: 0] += 1 }
        #expect(counts == ["control": 8000, "challenger": 2000])
        #expect(t.variant(forDraw: 0) == "control")
        #expect(t.variant(forDraw: 0.999_999) == "challenger")
    }

    @Test func stickyKeysFollowTheWeights() {
        let t = table([("a", 0.5), ("b", 0.3), ("c", 0.2)])
        var counts: [String: Int] = [:]
        for key in Self.keys { counts[t.variant(forKey: key) ?? "none", default: 0] += 1 }
        let n = Double(Self.keys.count)
        #expect(abs(Double(counts["a", default: 0]) / n - 0.5) < 0.02)
        #expect(abs(Double(counts["b", default: 0]) / n - 0.3) < 0.02)
        #expect(abs(Double(counts["c", default: 0]) / n - 0.2) < 0.02)
    }

    @Test func stickyKeysAreStableAcrossInstancesAndDependOnSalt() {
        let weights = [("control", 0.8), ("challenger", 0.2)]
        let first = assignment(table(weights))
        #expect(assignment(table(weights)) == first)
        // Same weights written in a different order: same answer (rendezvous does not depend on order).
        #expect(assignment(table(weights.reversed())) == first)
        let salted = assignment(table(weights, salt: "other"))
        #expect(salted != first)
        // The hash is fixed across runs and machines (no seeded Hasher): this key's variant never changes.
        #expect(StableHash.hash("a", "bc") != StableHash.hash("ab", "c"))
        #expect(StableHash.hash("salt", "user-1", "control") == StableHash.hash("salt", "user-1", "control"))
    }

    @Test func raisingOneWeightMovesKeysOnlyToIt() {
        let before = assignment(table([("control", 0.8), ("challenger", 0.2)]))
        let after = assignment(table([("control", 0.7), ("challenger", 0.3)]))
        let controlKeys = before.filter { $0.value == "control" }.map(\.key)
        let moved = controlKeys.filter { after[$0] == "challenger" }
        let movedBack = before.filter { $0.value == "challenger" && after[$0.key] == "control" }
        #expect(movedBack.isEmpty)
        let fraction = Double(moved.count) / Double(controlKeys.count)
        #expect(abs(fraction - 0.125) < 0.015, "moved \(fraction) of control's keys, expected 1/8")
    }

    @Test func changingOneWeightLeavesTheOthersAlone() {
        let before = assignment(table([("a", 1), ("b", 1), ("c", 1)]))
        let after = assignment(table([("a", 1), ("b", 1), ("c", 2)]))
        for (key, old) in before where after[key] != old {
            // Only moves onto the variant whose weight rose.
            #expect(after[key] == "c")
        }
        let lowered = assignment(table([("a", 1), ("b", 1), ("c", 0.5)]))
        for (key, old) in before where lowered[key] != old {
            // Only moves away from the variant whose weight fell.
            #expect(old == "c")
        }
        // Removing a variant (weight 0) moves only its keys.
        let removed = assignment(table([("a", 1), ("b", 0), ("c", 1)]))
        for (key, old) in before where removed[key] != old { #expect(old == "b") }
    }

    @Test func randomDrawsAreUniform() {
        let random = RoutingRandom(seed: 42)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let u = random.next()
            #expect(u >= 0 && u < 1)
            buckets[Int(u * 10)] += 1
        }
        for count in buckets { #expect(abs(count - 10_000) < 500) }
    }

    /// Denormal weights used to make every sticky score infinite, so the first variant took every key.
    @Test func denormalWeightsStillSplitStickyKeys() {
        let tiny = Double.leastNonzeroMagnitude
        let t = table([("a", tiny), ("b", tiny)])
        let counts = Dictionary(grouping: Self.keys.prefix(4000), by: { t.variant(forKey: $0) ?? "none" }).mapValues(\.count)
        #expect(abs((counts["a"] ?? 0) - 2000) < 200)
        #expect(abs((counts["b"] ?? 0) - 2000) < 200)
        #expect(t.share(of: "a") == 0.5)
    }

    /// Weights near the largest double used to overflow their sum to infinity (every share 0, draws to the last).
    @Test func hugeWeightsDoNotOverflowTheirSum() {
        let big = Double.greatestFiniteMagnitude
        let t = table([("a", big), ("b", big / 3)])
        #expect(abs(t.share(of: "a") - 0.75) < 1e-12)
        #expect(t.variant(forDraw: 0.7) == "a" && t.variant(forDraw: 0.8) == "b")
        let counts = Dictionary(grouping: Self.keys.prefix(4000), by: { t.variant(forKey: $0) ?? "none" }).mapValues(\.count)
        #expect(abs((counts["a"] ?? 0) - 3000) < 200)
    }

    @Test func weightValidationNamesTheProblem() {
        #expect(RoutingTable.problem(withWeights: [("a", 1), ("b", 0)]) == nil)
        #expect(RoutingTable.problem(withWeights: [("a", .nan)])?.contains("finite") == true)
        #expect(RoutingTable.problem(withWeights: [("a", .infinity)])?.contains("finite") == true)
        #expect(RoutingTable.problem(withWeights: [("a", -1)])?.contains(">= 0") == true)
        #expect(RoutingTable.problem(withWeights: [("a", 0)])?.contains("above 0") == true)
        let big = Double.greatestFiniteMagnitude
        #expect(RoutingTable.problem(withWeights: [("a", big), ("b", big)])?.contains("overflows") == true)
    }
}
