import Testing
@testable import TandemServing

@Suite("Shadow vs production agreement")
struct PredictionAgreementTests {
    func table(labels: PredictionTable.Labels?, scores: [Float]?, width: Int = 2, rows: Int = 3) -> PredictionTable {
        var table = PredictionTable(rows: rows)
        table.labels = labels
        table.scores = scores.map { PredictionTable.Matrix(values: $0, width: width) }
        return table
    }

    @Test func labelsAndScoreDeltas() {
        let production = table(labels: .int64([0, 1, 1]), scores: [0.9, 0.1, 0.2, 0.8, 0.4, 0.6])
        let shadow = table(labels: .int64([0, 1, 0]), scores: [0.9, 0.1, 0.25, 0.75, 0.6, 0.4])
        let agreement = PredictionAgreement(production: production, shadow: shadow)
        #expect(agreement.labelRows == 3 && agreement.labelMatches == 2)
        #expect(agreement.deltaRows == 3)
        #expect(agreement.rowDeltas.count == 3)
        #expect(abs(agreement.rowDeltas[0]) < 1e-7)
        #expect(abs(agreement.rowDeltas[1] - 0.05) < 1e-6)
        #expect(abs(agreement.rowDeltas[2] - 0.2) < 1e-6)
        #expect(abs(agreement.deltaMax - 0.2) < 1e-6)
    }

    @Test func labelKindsAndMissingParts() {
        // An int64-labelled and a string-labelled model compare by the labels' text.
        let ints = table(labels: .int64([1, 2, 3]), scores: nil)
        let strings = table(labels: .string(["1", "2", "x"]), scores: nil)
        let agreement = PredictionAgreement(production: ints, shadow: strings)
        #expect(agreement.labelRows == 3 && agreement.labelMatches == 2 && agreement.deltaRows == 0)
        // Scores of different widths, or answers of different lengths, are not compared.
        let two = table(labels: nil, scores: [1, 0, 1, 0, 1, 0])
        let three = table(labels: nil, scores: [1, 0, 0, 1, 0, 0, 1, 0, 0], width: 3)
        #expect(PredictionAgreement(production: two, shadow: three) == PredictionAgreement())
        let short = table(labels: .int64([1]), scores: [1, 0], rows: 1)
        #expect(PredictionAgreement(production: ints, shadow: short) == PredictionAgreement())
    }

    @Test func nanOnOneSideIsTheLargestDisagreement() {
        let a = table(labels: nil, scores: [.nan, 1, .nan, 0], rows: 2)
        let b = table(labels: nil, scores: [0.5, 1, .nan, 0], rows: 2)
        let agreement = PredictionAgreement(production: a, shadow: b)
        #expect(agreement.rowDeltas[0] == .infinity)
        #expect(agreement.rowDeltas[1] == 0)
    }
}
