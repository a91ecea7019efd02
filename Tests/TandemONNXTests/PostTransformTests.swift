import Testing
@testable import TandemONNX

/// The span-range form of the post-transforms touches exactly one row and matches the whole-array form.
@Suite("Post-transform rows")
struct PostTransformTests {
    @Test(arguments: [PostTransform.softmax, .softmaxZero, .logistic, .probit])
    func rowsMatchWholeArrays(_ transform: PostTransform) {
        let rows: [[Float]] = [[0.25, -1.5, 3], [0, 0.5, 0], [0.1, 0.2, 0.7]]
        var flat = rows.flatMap { $0 }
        transform.applyRows(&flat, rows: rows.count, width: 3)
        for (r, row) in rows.enumerated() {
            var one = row
            transform.apply(&one)
            #expect(flat[(r * 3)..<(r * 3 + 3)].map(\.bitPattern) == one.map(\.bitPattern))  // NaN-safe (probit)
        }
    }

    @Test func rangeLeavesOtherElementsAlone() {
        var values: [Float] = [5, 1, 2, 5]
        var span = values.mutableSpan
        PostTransform.softmax.apply(&span, 1..<3)
        #expect(values[0] == 5 && values[3] == 5)
        #expect(abs(values[1] + values[2] - 1) < 1e-6)
    }
}
