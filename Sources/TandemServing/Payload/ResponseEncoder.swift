import TandemJSON
import TandemONNX

/// Renders a model's outputs as a response body: exactly one output record per input record, in order.
///
/// JSON: `{"predictions": [{"label": 1, "probabilities": [0.02, 0.98]}, ...]}`; regressors give
/// `{"score": 151.2}` (`"scores": [...]` for several targets). JSON Lines: one such record per line.
/// CSV: `label,p0,p1,...` for classifiers, the value(s) for regressors, one line per record.
public enum ResponseEncoder {
    /// Encodes `outputs` of a model with `signature` for `rows` records.
    public static func encode(
        _ outputs: [String: Value], signature: ModelSignature, rows: Int, format: PayloadFormat,
        rendering: OutputRendering = OutputRendering()
    ) throws(ModelRunError) -> [UInt8] {
        encode(try PredictionTable(outputs: outputs, signature: signature, rows: rows), format: format, rendering: rendering)
    }

    /// Encodes outputs already arranged per record (the worker arranges them once when shadows compare too).
    static func encode(_ table: PredictionTable, format: PayloadFormat, rendering: OutputRendering) -> [UInt8] {
        let rows = table.rows
        switch format {
        case .json:
            var writer = JSONWriter(capacity: 64 + rows * 48)
            writer.beginObject()
            writer.key("predictions")
            writer.beginArray()
            for row in 0..<rows { record(table, row: row, rendering: rendering, into: &writer) }
            writer.endArray()
            writer.endObject()
            return writer.bytes
        case .jsonLines:
            var writer = JSONWriter(capacity: 64 + rows * 48)
            for row in 0..<rows {
                record(table, row: row, rendering: rendering, into: &writer)
                writer.newline()
            }
            return writer.bytes
        case .csv:
            var writer = CSVWriter(capacity: 64 + rows * 32)
            for row in 0..<rows {
                csvRecord(table, row: row, into: &writer)
                writer.endRecord()
            }
            return writer.bytes
        case .npy:
            return table.numpy()
        case .recordIO:
            return RecordIO.encode(table)
        }
    }

    private static func record(_ table: PredictionTable, row: Int, rendering: OutputRendering, into w: inout JSONWriter) {
        w.beginObject()
        switch table.labels {
        case .int64(let labels): w.key("label"); w.number(labels[row])
        case .string(let labels): w.key("label"); w.string(labels[row])
        case nil: break
        }
        if let scores = table.scores, rendering.scores != .none {
            w.key(table.scoresName)
            let base = row * scores.width
            if rendering.scores == .map {
                w.beginObject()
                for j in 0..<scores.width {
                    w.key(table.scoreKeys[j])
                    w.number(scores.values[base + j])
                }
                w.endObject()
            } else {
                w.beginArray()
                for j in 0..<scores.width { w.number(scores.values[base + j]) }
                w.endArray()
            }
        }
        if let values = table.values {
            let base = row * values.width
            if values.width == 1 {
                w.key("score")
                w.number(values.values[base])
            } else {
                w.key("scores")
                w.beginArray()
                for j in 0..<values.width { w.number(values.values[base + j]) }
                w.endArray()
            }
        }
        for (name, tensor) in table.others {
            w.key(name)
            let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
            if tensor.shape.count <= 1 {
                element(tensor.data, at: row, into: &w)
            } else {
                w.beginArray()
                for j in 0..<width { element(tensor.data, at: row * width + j, into: &w) }
                w.endArray()
            }
        }
        w.endObject()
    }

    private static func element(_ data: TensorData, at index: Int, into w: inout JSONWriter) {
        switch data {
        case .float(let v): w.number(v[index])
        case .double(let v): w.number(v[index])
        case .int64(let v): w.number(v[index])
        case .int32(let v): w.number(Int64(v[index]))
        case .int8(let v): w.number(Int64(v[index]))
        case .uint8(let v): w.number(Int64(v[index]))
        case .string(let v): w.string(v[index])
        case .bool(let v): w.bool(v[index])
        }
    }

    /// One CSV record: the label, then the scores or values; other outputs' elements with non-finite numbers
    /// as `nan` (the JSON `null` of the same record).
    private static func csvRecord(_ table: PredictionTable, row: Int, into w: inout CSVWriter) {
        switch table.labels {
        case .int64(let labels): w.cell(labels[row])
        case .string(let labels): w.cell(labels[row])
        case nil: break
        }
        for matrix in [table.scores, table.values] {
            guard let matrix else { continue }
            let base = row * matrix.width
            for j in 0..<matrix.width { w.cell(matrix.values[base + j]) }
        }
        for (_, tensor) in table.others {
            let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
            for j in 0..<width {
                let index = row * width + j
                switch tensor.data {
                case .float(let v): w.cell(missingIfNotFinite: v[index])
                case .double(let v): w.cell(missingIfNotFinite: v[index])
                case .int64(let v): w.cell(v[index])
                case .int32(let v): w.cell(Int64(v[index]))
                case .int8(let v): w.cell(Int64(v[index]))
                case .uint8(let v): w.cell(Int64(v[index]))
                case .string(let v): w.cell(v[index])
                case .bool(let v): w.rawCell(v[index] ? "true" : "false")
                }
            }
        }
    }
}
