#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftProtobuf

/// `application/x-recordio-protobuf`: SageMaker's built-in algorithms' format, as the SDK's `RecordSerializer`
/// and `write_numpy_to_dense_tensor` / `write_spmatrix_to_sparse_tensor` write it.
///
/// A body is a run of RecordIO frames (MXNet's framing): the magic `0xCED7230A` and a length word (little
/// endian; the top 3 bits are a continuation flag, which SageMaker's writers leave 0), then that many bytes of
/// one serialized `Record` (proto/record.proto), padded with zeros to a multiple of 4. Each record is one row:
/// its feature (named `values`, or its only feature) is a float32, float64 or int32 tensor, dense, or sparse
/// with `keys` and a `shape` giving the row's width (missing entries of a sparse row are 0).
enum RecordIO {
    static let magic: UInt32 = 0xCED7_230A

    /// True when `body` starts with the RecordIO magic (for a request without `Content-Type`).
    static func hasMagic(_ body: [UInt8]) -> Bool {
        body.count >= 4 && readUInt32(body, at: 0) == magic
    }

    /// The payloads of the frames in `body`, in order.
    static func frames(_ body: [UInt8]) throws(PayloadError) -> [Range<Int>] {
        var frames: [Range<Int>] = []
        var offset = 0
        while offset < body.count {
            let number = frames.count + 1
            guard body.count - offset >= 8 else {
                throw bad("record \(number): the RecordIO frame header at byte \(offset) is cut short", row: number)
            }
            guard readUInt32(body, at: offset) == magic else {
                throw bad(
                    "record \(number): no RecordIO magic 0xCED7230A at byte \(offset); is the body RecordIO-framed protobuf?",
                    row: number)
            }
            let word = readUInt32(body, at: offset + 4)
            guard word >> 29 == 0 else {
                throw bad("record \(number): multi-part RecordIO records (continuation flag \(word >> 29)) are not supported", row: number)
            }
            let length = Int(word & 0x1FFF_FFFF)
            let start = offset + 8
            guard body.count - start >= length else {
                throw bad("record \(number): the frame says \(length) bytes but \(body.count - start) remain", row: number)
            }
            frames.append(start..<(start + length))
            offset = min(body.count, start + (length + 3) / 4 * 4)
        }
        return frames
    }

    /// Decodes every record into `assembler`, one row each. `flatWidth` sizes sparse rows that carry no shape.
    static func decode(_ body: [UInt8], into assembler: inout FeedAssembler) throws(PayloadError) {
        let frames = try frames(body)
        guard !frames.isEmpty else {
            throw PayloadError(code: "empty_body", message: "the body holds no RecordIO records; send at least one")
        }
        for (index, frame) in frames.enumerated() {
            let row = index + 1
            let record: RecordMessage
            do {
                record = try parse(Array(body[frame]))
            } catch {
                throw bad("record \(row) is not a valid Record protobuf: \(error)", row: row)
            }
            let matrix = try features(of: record, row: row, width: assembler.flatWidth)
            try matrix.append(to: &assembler, firstRow: row)
        }
    }

    /// The row a record's feature tensor holds.
    private static func features(of record: RecordMessage, row: Int, width: Int?) throws(PayloadError) -> NumericMatrix {
        guard let value = record.features["values"] ?? (record.features.count == 1 ? record.features.first?.value : nil) else {
            let names = record.features.keys.sorted()
            throw PayloadError(
                code: "bad_record",
                message: "record \(row): expected one feature named 'values', got "
                    + (names.isEmpty ? "none" : names.map { "'\($0)'" }.joined(separator: ", ")),
                row: row, expected: "features['values']", got: names.joined(separator: ", "))
        }
        switch value.kind {
        case .float32(let t)?: return try denseRow(.double(t.values.map(Double.init)), count: t.values.count, t.keys, t.shape, row, width)
        case .float64(let t)?: return try denseRow(.double(t.values), count: t.values.count, t.keys, t.shape, row, width)
        case .int32(let t)?: return try denseRow(.int64(t.values.map(Int64.init)), count: t.values.count, t.keys, t.shape, row, width)
        case .bytes?, nil:
            throw PayloadError(
                code: "bad_record", message: "record \(row): the feature must be a float32, float64 or int32 tensor",
                row: row, expected: "a numeric tensor", got: value.kind == nil ? "an empty value" : "bytes")
        }
    }

    private static func denseRow(
        _ values: NumericMatrix.Values, count: Int, _ keys: [UInt64], _ shape: [UInt64], _ row: Int, _ width: Int?
    ) throws(PayloadError) -> NumericMatrix {
        var size: Int?
        if !shape.isEmpty {
            var product = 1
            for dimension in shape {
                let (next, overflow) = product.multipliedReportingOverflow(by: Int(clamping: dimension))
                guard !overflow, next <= 1 << 24 else {
                    throw bad("record \(row): the tensor's shape \(shape) is too large for one record", row: row)
                }
                product = next
            }
            size = product
        }
        // No keys and no values with a shape: a sparse row whose entries are all 0 (the SDK's sparse writer).
        if keys.isEmpty && !(count == 0 && size != nil) {
            if let size, size != count {
                throw bad("record \(row): the dense tensor has \(count) values but its shape \(shape) says \(size)", row: row)
            }
            return NumericMatrix(rows: 1, columns: count, values: values)
        }
        guard keys.count == count else {
            throw bad("record \(row): the sparse tensor has \(keys.count) keys for \(count) values", row: row)
        }
        guard let columns = size ?? width else {
            throw bad("record \(row): a sparse tensor needs a shape (the row's width) for this model", row: row)
        }
        for key in keys where key >= UInt64(columns) {
            throw bad("record \(row): sparse key \(key) is outside the row's width \(columns)", row: row)
        }
        switch values {
        case .double(let v):
            var dense = [Double](repeating: 0, count: columns)
            for (key, value) in zip(keys, v) { dense[Int(key)] = value }
            return NumericMatrix(rows: 1, columns: columns, values: .double(dense))
        case .int64(let v):
            var dense = [Int64](repeating: 0, count: columns)
            for (key, value) in zip(keys, v) { dense[Int(key)] = value }
            return NumericMatrix(rows: 1, columns: columns, values: .int64(dense))
        }
    }

    private static func bad(_ message: String, row: Int) -> PayloadError {
        PayloadError(code: "bad_recordio", message: message, row: row)
    }

    private static func readUInt32(_ body: [UInt8], at offset: Int) -> UInt32 {
        UInt32(body[offset]) | UInt32(body[offset + 1]) << 8 | UInt32(body[offset + 2]) << 16 | UInt32(body[offset + 3]) << 24
    }

    /// Appends one frame holding `payload`, padded to a multiple of 4 bytes.
    static func appendFrame(_ payload: [UInt8], to out: inout [UInt8]) {
        for value in [magic, UInt32(payload.count)] {
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        out += payload
        out += [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4)
    }

    /// Encodes a response: one record per row whose `label` map holds, as the built-in algorithms answer,
    /// `predicted_label` (float32; text labels as bytes), `score` (the class probabilities or scores, or the
    /// regression values) and any other outputs under their own names.
    static func encode(_ table: PredictionTable) -> [UInt8] {
        var out: [UInt8] = []
        for row in 0..<table.rows {
            var record = RecordMessage()
            switch table.labels {
            case .int64(let labels): record.label["predicted_label"] = float32([Float(labels[row])])
            case .string(let labels):
                record.label["predicted_label"] = RecordValue(
                    kind: .bytes(RecordBytes(value: [Data(labels[row].utf8)], contentType: "text/plain; charset=utf-8")))
            case nil: break
            }
            for matrix in [table.scores, table.values] {
                guard let matrix else { continue }
                let base = row * matrix.width
                record.label["score"] = float32(Array(matrix.values[base..<(base + matrix.width)]))
            }
            for (name, tensor) in table.others {
                let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
                let cells = (0..<width).map { NumpyCell(tensor.data, at: row * width + $0) }
                if cells.allSatisfy({ if case .text = $0 { false } else { true } }) {
                    record.label[name] = float32(cells.map { Float($0.real) })
                } else {
                    record.label[name] = RecordValue(kind: .bytes(RecordBytes(value: cells.map { Data($0.text.utf8) })))
                }
            }
            appendFrame(serialize(record), to: &out)
        }
        return out
    }

    /// A record's wire bytes. Serializing cannot fail: these messages have no required fields (the only
    /// error SwiftProtobuf raises when serializing).
    static func serialize(_ record: RecordMessage) -> [UInt8] {
        (try? record.serializedBytes()) ?? []
    }

    /// Parses one record's wire bytes.
    static func parse(_ bytes: [UInt8]) throws -> RecordMessage {
        try RecordMessage(serializedBytes: bytes)
    }

    private static func float32(_ values: [Float]) -> RecordValue {
        RecordValue(kind: .float32(RecordFloat32Tensor(values: values, shape: [UInt64(values.count)])))
    }
}
