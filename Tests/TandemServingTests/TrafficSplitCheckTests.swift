import Foundation
import Testing
@testable import TandemServing

@Suite("Sample-ratio-mismatch check")
struct TrafficSplitCheckTests {
    /// References from closed forms: dof 1 is erfc(sqrt(x/2)), dof 2 is exp(-x/2), dof 4 is exp(-x/2)(1 + x/2).
    @Test func pValuesMatchClosedForms() {
        let cases: [(x: Double, dof: Int, expected: Double)] = [
            (3.841458820694124, 1, 0.05), (5.991464547107979, 2, 0.05), (10, 4, exp(-5) * 6),
            (100, 1, erfc(sqrt(50))), (0.5, 1, erfc(sqrt(0.25))), (1, 2, exp(-0.5)), (40, 2, exp(-20)),
        ]
        for c in cases {
            let p = ChiSquare.pValue(c.x, degreesOfFreedom: c.dof)
            #expect(abs(p - c.expected) <= 1e-9 * c.expected, "x=\(c.x) dof=\(c.dof): \(p) vs \(c.expected)")
        }
        #expect(ChiSquare.pValue(0, degreesOfFreedom: 3) == 1)
        #expect(ChiSquare.pValue(.infinity, degreesOfFreedom: 1) == 0)
        #expect(ChiSquare.pValue(5, degreesOfFreedom: 0) == 1)
        // dof 3 at the textbook 5% critical value 7.8147.
        #expect(abs(ChiSquare.pValue(7.814727903251178, degreesOfFreedom: 3) - 0.05) < 1e-9)
    }

    @Test func statisticOverSharesThatNeedNotSumToOne() {
        let (value, dof) = ChiSquare.statistic(observed: [600, 400], shares: [1, 1])
        #expect(abs(value - 40) < 1e-12)
        #expect(dof == 1)
        // A zero-share category that got traffic cannot be described by a finite statistic.
        #expect(ChiSquare.statistic(observed: [10, 1], shares: [1, 0]).value == .infinity)
        // A zero-share category without traffic is left out.
        #expect(ChiSquare.statistic(observed: [10, 0, 10], shares: [0.5, 0, 0.5]) == (0, 1))
    }

    @Test func verdicts() {
        let even = TrafficSplitCheck(names: ["a", "b"], expectedShares: [0.5, 0.5])
        for _ in 0..<50 { even.recordWeighted("a") }
        #expect(!even.report().mismatch)  // all on one side, but under the minimum
        for _ in 0..<50 { even.recordWeighted("a") }
        #expect(even.report().mismatch)  // 100 to 0
        let balanced = TrafficSplitCheck(names: ["a", "b"], expectedShares: [0.8, 0.2])
        for i in 0..<1000 { balanced.recordWeighted(i % 5 == 0 ? "b" : "a") }
        balanced.recordWeighted("unknown")
        let report = balanced.report()
        #expect(report.observed == [800, 200] && report.total == 1000)
        #expect(report.pValue == 1 && !report.mismatch)
        let skewed = TrafficSplitCheck(names: ["a", "b"], expectedShares: [0.5, 0.5])
        for i in 0..<1000 { skewed.recordWeighted(i % 5 < 3 ? "a" : "b") }  // 600 / 400: chi-square 40
        #expect(skewed.report().mismatch)
        #expect(skewed.report().pValue < 1e-9)
    }
}
