import TandemONNX

/// What missing values (empty or `nan` CSV cells, JSON `null`) mean: they reach the model as NaN, and a model
/// that handles them (tree ensembles route NaN down their missing-value branch) answers as usual. A model that
/// does not (linear models, MLPs) turns them into NaN scores; rather than answering `null` probabilities with
/// an arbitrary label, the request is refused with 400 `missing_values_unsupported` naming the row.
/// NaN scores from rows without missing values are the model's own fault: 500.
enum MissingValues {
    /// The 1-based row whose scores or values are not finite, if any.
    static func firstNonFiniteRow(_ table: PredictionTable) -> Int? {
        for matrix in [table.scores, table.values] {
            guard let matrix, matrix.width > 0 else { continue }
            if let index = matrix.values.firstIndex(where: { !$0.isFinite }) { return index / matrix.width + 1 }
        }
        return nil
    }

    /// Whether 1-based `row` of `decoded` holds a missing (NaN) float or double value.
    static func rowHasMissingValue(_ decoded: DecodedRequest, row: Int) -> Bool {
        for tensor in decoded.feeds.values {
            let rows = max(decoded.rows, 1)
            switch tensor.data {
            case .float(let values):
                let width = values.count / rows
                if width > 0, values[(row - 1) * width..<row * width].contains(where: \.isNaN) { return true }
            case .double(let values):
                let width = values.count / rows
                if width > 0, values[(row - 1) * width..<row * width].contains(where: \.isNaN) { return true }
            default: continue
            }
        }
        return false
    }

    /// Throws when the model could not score a row: 400 for rows with missing values, else a model error.
    static func check(_ table: PredictionTable, _ decoded: DecodedRequest, modelID: String) throws(PayloadError) {
        guard let row = firstNonFiniteRow(table), row <= decoded.rows else { return }
        if rowHasMissingValue(decoded, row: row) {
            throw PayloadError(
                code: "missing_values_unsupported",
                message: "row \(row): model \(modelID) does not handle missing values (empty or NaN cells, JSON null): "
                    + "its scores for that row are not numbers; fill the missing values in",
                row: row)
        }
        throw PayloadError(
            status: 500, code: "non_finite_output",
            message: "row \(row): model \(modelID) returned a score that is not a finite number for finite inputs",
            row: row)
    }
}
