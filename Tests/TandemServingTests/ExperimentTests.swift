import Testing
@testable import TandemServing

@Suite("Outcome statistics and Welch's t-test")
struct ExperimentTests {
    /// References: scipy.stats (t.sf, t.ppf, ttest_ind_from_stats with equal_var=False).
    @Test func studentTMatchesScipy() {
        #expect(abs(WelchTest.twoSidedP(2.0, 5) - 0.10193947882985835) < 1e-12)
        #expect(abs(WelchTest.twoSidedP(-1.0, 30.5) - 0.3251785944351794) < 1e-12)
        #expect(abs(WelchTest.criticalValue95(12.3) - 2.172933481758962) < 1e-9)
        #expect(WelchTest.twoSidedP(0, 10) == 1)
    }

    @Test func welchOnSummaryStatistics() throws {
        // 203 control outcomes with mean 0.1232 and 197 challenger outcomes with mean 0.1726 (0/1 conversions).
        var control = OutcomeStats(), challenger = OutcomeStats()
        for i in 0..<203 { control.add(i < 25 ? 1 : 0) }
        for i in 0..<197 { challenger.add(i < 34 ? 1 : 0) }
        let result = try #require(WelchTest.compare(control, challenger).result)
        #expect(abs(result.difference - (34.0 / 197 - 25.0 / 203)) < 1e-12)
        #expect(abs(result.pValue - 0.16503721406248004) < 1e-9)
        #expect(result.lower95 < 0 && result.upper95 > result.difference)
        #expect(WelchTest.compare(OutcomeStats(), challenger) == .insufficientData)
    }

    /// Outcomes near the largest double overflow the variance: no verdict, not `significant: true`.
    @Test func overflowingOutcomesAreNotComputable() {
        var control = OutcomeStats(), challenger = OutcomeStats()
        for value in [1.0, 2, 3] { control.add(value) }
        for value in [Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 1e308] { challenger.add(value) }
        #expect(WelchTest.compare(control, challenger) == .notComputable)
        var big = OutcomeStats()
        for value in [1e150, -1e150, 1e150] { big.add(value) }  // finite variance, but va * va overflows
        #expect(WelchTest.compare(control, big) == .notComputable)
        var negative = OutcomeStats()
        for value in [-5.0, -7, -6] { negative.add(value) }
        #expect(WelchTest.compare(control, negative).result != nil)
    }

    @Test func welfordMatchesTheTextbookVariance() {
        var stats = OutcomeStats()
        for value in [2.0, 4, 4, 4, 5, 5, 7, 9] { stats.add(value) }
        #expect(stats.count == 8 && stats.mean == 5)
        #expect(abs(stats.variance - 32.0 / 7) < 1e-12)
    }

    @Test func ledgerJoinsOutcomesToVariants() {
        let ledger = OutcomeLedger(capacity: 2)
        ledger.served("r1", by: "a")
        ledger.served("r2", by: "b")
        #expect(ledger.record("r1", value: 1) == (.accepted, "a"))
        #expect(ledger.record("r1", value: 1).verdict == .duplicate)
        #expect(ledger.record("zz", value: 1).verdict == .unknownRequest)
        ledger.served("r3", by: "a")  // forgets r1, the oldest
        #expect(ledger.record("r1", value: 1).verdict == .unknownRequest)
        #expect(ledger.record("r2", value: 0.5) == (.accepted, "b"))
        #expect(ledger.statistics()["a"]?.count == 1)
        #expect(ledger.statistics()["b"]?.mean == 0.5)
        ledger.reset()
        #expect(ledger.statistics().isEmpty)
    }

    /// Tandem's own ids (16 lowercase hex digits, kept as numbers) and any other text (kept as text) are
    /// remembered, joined and forgotten alike, and never confused: the same digits in capitals, or one digit
    /// fewer or more, are other ids.
    @Test func ledgerKeepsTandemIdsAndOtherIdsApart() {
        let ledger = OutcomeLedger(capacity: 3)
        ledger.served("00000000000000ff", by: "a")
        ledger.served("caller-trace-7", by: "b")
        ledger.served("ffffffffffffffff", by: "b")
        #expect(ledger.variant(of: "00000000000000ff") == "a")
        #expect(ledger.variant(of: "00000000000000FF") == nil)
        #expect(ledger.variant(of: "0000000000000ff") == nil)
        #expect(ledger.variant(of: "000000000000000ff") == nil)
        #expect(ledger.variant(of: "caller-trace-7") == "b")
        #expect(ledger.record("ffffffffffffffff", value: 2) == (.accepted, "b"))
        #expect(ledger.record("ffffffffffffffff", value: 2).verdict == .duplicate)
        ledger.served("0123456789abcdef", by: "a")  // forgets the oldest, a number
        #expect(ledger.variant(of: "00000000000000ff") == nil)
        ledger.served("another", by: "a")  // forgets the next oldest, a text
        #expect(ledger.record("caller-trace-7", value: 1).verdict == .unknownRequest)
        #expect(ledger.record("0123456789abcdef", value: 4) == (.accepted, "a"))
        #expect(ledger.statistics()["a"]?.mean == 4 && ledger.statistics()["b"]?.mean == 2)
    }
}
