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
        var writer = JSONWriter(capacity: 64 + rows * 48)
        switch format {
        case .json:
            writer.raw("{\"predictions\":[")
            for row in 0..<rows {
                if row > 0 { writer.raw(UInt8(ascii: ",")) }
                record(table, row: row, rendering: rendering, into: &writer)
            }
            writer.raw("]}")
        case .jsonLines:
            for row in 0..<rows {
                record(table, row: row, rendering: rendering, into: &writer)
                writer.raw(0x0A)
            }
        case .csv:
            for row in 0..<rows {
                csvLine(table, row: row, into: &writer)
                writer.raw(0x0A)
            }
        }
        return writer.bytes
    }

    private static func record(_ table: PredictionTable, row: Int, rendering: OutputRendering, into w: inout JSONWriter) {
        w.raw(UInt8(ascii: "{"))
        var first = true
        func key(_ name: String) {
            if !first { w.raw(UInt8(ascii: ",")) }
            first = false
            w.string(name)
            w.raw(UInt8(ascii: ":"))
        }
        switch table.labels {
        case .int64(let labels): key("label"); w.number(labels[row])
        case .string(let labels): key("label"); w.string(labels[row])
        case nil: break
        }
        if let scores = table.scores, rendering.scores != .none {
            key(table.scoresName)
            let base = row * scores.width
            if rendering.scores == .map {
                w.raw(UInt8(ascii: "{"))
                for j in 0..<scores.width {
                    if j > 0 { w.raw(UInt8(ascii: ",")) }
                    w.string(table.scoreKeys[j])
                    w.raw(UInt8(ascii: ":"))
                    w.number(scores.values[base + j])
                }
                w.raw(UInt8(ascii: "}"))
            } else {
                w.raw(UInt8(ascii: "["))
                for j in 0..<scores.width {
                    if j > 0 { w.raw(UInt8(ascii: ",")) }
                    w.number(scores.values[base + j])
                }
                w.raw(UInt8(ascii: "]"))
            }
        }
        if let values = table.values {
            let base = row * values.width
            if values.width == 1 {
                key("score")
                w.number(values.values[base])
            } else {
                key("scores")
                w.raw(UInt8(ascii: "["))
                for j in 0..<values.width {
                    if j > 0 { w.raw(UInt8(ascii: ",")) }
                    w.number(values.values[base + j])
                }
                w.raw(UInt8(ascii: "]"))
            }
        }
        for (name, tensor) in table.others {
            key(name)
            let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
            if tensor.shape.count <= 1 {
                element(tensor.data, at: row, into: &w)
            } else {
                w.raw(UInt8(ascii: "["))
                for j in 0..<width {
                    if j > 0 { w.raw(UInt8(ascii: ",")) }
                    element(tensor.data, at: row * width + j, into: &w)
                }
                w.raw(UInt8(ascii: "]"))
            }
        }
        w.raw(UInt8(ascii: "}"))
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
        case .bool(let v): w.raw(v[index] ? "true" : "false")
        }
    }

    private static func csvLine(_ table: PredictionTable, row: Int, into w: inout JSONWriter) {
        var cells: [String] = []
        switch table.labels {
        case .int64(let labels): cells.append(String(labels[row]))
        case .string(let labels): cells.append(CSVReader.quoteIfNeeded(labels[row]))
        case nil: break
        }
        for matrix in [table.scores, table.values].compactMap({ $0 }) {
            let base = row * matrix.width
            for j in 0..<matrix.width { cells.append(csvNumber(matrix.values[base + j])) }
        }
        for (_, tensor) in table.others {
            let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
            for j in 0..<width {
                var cell = JSONWriter()
                element(tensor.data, at: row * width + j, into: &cell)
                let text = String(decoding: cell.bytes, as: UTF8.self)
                if case .string(let strings) = tensor.data {
                    cells.append(CSVReader.quoteIfNeeded(strings[row * width + j]))
                } else {
                    cells.append(text == "null" ? "nan" : text)
                }
            }
        }
        w.raw(cells.joined(separator: ","))
    }

    private static func csvNumber(_ value: Float) -> String {
        value.isNaN ? "nan" : value.description
    }
}
