/// How far a shadow variant's answer to a request agreed with the production variant's answer to the same
/// request: labels row by row, and the largest absolute difference of each row's scores (classifiers) or
/// values (regressors).
public struct PredictionAgreement: Sendable, Equatable {
    /// Rows where both answers carry a label.
    public var labelRows = 0
    /// Of those, rows whose labels are equal.
    public var labelMatches = 0
    /// Rows where both answers carry scores (or values) of the same width.
    public var deltaRows = 0
    /// Sum over those rows of the row's largest absolute difference.
    public var deltaSum = 0.0
    /// The largest absolute difference seen.
    public var deltaMax = 0.0
    /// Each compared row's largest absolute difference (for the histogram).
    public var rowDeltas: [Double] = []

    public init() {}

    /// Compares two answers to the same request; answers of different lengths compare nothing.
    init(production: PredictionTable, shadow: PredictionTable) {
        guard production.rows == shadow.rows else { return }
        let rows = production.rows
        if let a = production.labels, let b = shadow.labels {
            labelRows = rows
            for row in 0..<rows where Self.label(a, row) == Self.label(b, row) { labelMatches += 1 }
        }
        let pair: (PredictionTable.Matrix, PredictionTable.Matrix)?
        if let a = production.scores, let b = shadow.scores, a.width == b.width {
            pair = (a, b)
        } else if let a = production.values, let b = shadow.values, a.width == b.width {
            pair = (a, b)
        } else {
            pair = nil
        }
        if let (a, b) = pair, a.width > 0, a.values.count == rows * a.width, b.values.count == rows * b.width {
            deltaRows = rows
            rowDeltas.reserveCapacity(rows)
            for row in 0..<rows {
                var largest = 0.0
                for column in 0..<a.width {
                    let index = row * a.width + column
                    let delta = abs(Double(a.values[index]) - Double(b.values[index]))
                    // NaN on one side only is a disagreement as large as it gets; on both, none.
                    if delta.isNaN {
                        if a.values[index].isNaN != b.values[index].isNaN { largest = .infinity }
                    } else {
                        largest = max(largest, delta)
                    }
                }
                rowDeltas.append(largest)
                deltaSum += largest
                deltaMax = max(deltaMax, largest)
            }
        }
    }

    private static func label(_ labels: PredictionTable.Labels, _ row: Int) -> String {
        switch labels {
        case .int64(let values): String(values[row])
        case .string(let values): values[row]
        }
    }
}
