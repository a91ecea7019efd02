import Foundation
import TandemJSON
import TandemONNX

/// A request body turned into model inputs: one tensor per input and the number of records.
public struct DecodedRequest: Sendable {
    /// One `[rows, features]` tensor per model input, keyed by input name.
    public var feeds: [String: Tensor]
    /// The number of records; the response carries exactly one output record per input record.
    public var rows: Int

    /// Inputs already assembled by a front door's own codec.
    public init(feeds: [String: Tensor], rows: Int) {
        self.feeds = feeds
        self.rows = rows
    }
}

/// Decodes `/invocations` bodies (CSV, JSON, JSON Lines, `.npy`, RecordIO protobuf) against a model's input signature.
public enum RequestDecoder {
    /// Decodes `body` in `format` for a model with `inputs`. Throws a 400 `PayloadError` naming the row
    /// and column at fault.
    public static func decode(
        _ body: [UInt8], format: PayloadFormat, inputs: [ModelSignature.Input]
    ) throws(PayloadError) -> DecodedRequest {
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw PayloadError(code: "empty_body", message: "the request body is empty; send at least one record")
        }
        var assembler = try FeedAssembler(inputs: inputs)
        switch format {
        case .csv: try decodeCSV(body, into: &assembler)
        case .json: try decodeJSON(body, into: &assembler)
        case .jsonLines: try decodeJSONLines(body, into: &assembler)
        case .npy: try NumpyArray.decode(body).append(to: &assembler)
        case .recordIO: try RecordIO.decode(body, into: &assembler)
        }
        return DecodedRequest(feeds: assembler.feeds(), rows: assembler.rows)
    }

    private static func decodeCSV(_ body: [UInt8], into assembler: inout FeedAssembler) throws(PayloadError) {
        try validateUTF8(body)
        var cells: [Range<Int>] = []
        for (offset, record) in CSVReader.records(body).enumerated() {
            let row = offset + 1
            if CSVReader.isBlank(body, record) {
                guard assembler.takesOneString else {
                    throw PayloadError(code: "empty_record", message: "row \(row) is empty", row: row)
                }
                try assembler.beginFlatRecord(width: 1, row: row)
                try assembler.appendCSV(body, record.lowerBound..<record.lowerBound, input: 0, row: row, column: 1)
                assembler.endRecord()
                continue
            }
            if CSVReader.hasUnterminatedQuote(body, record) {
                throw PayloadError(
                    code: "malformed_csv", message: "row \(row) has an unterminated quoted cell (an odd number of '\"')",
                    row: row)
            }
            CSVReader.cells(body, record, into: &cells)
            try assembler.beginFlatRecord(width: cells.count, row: row)
            if assembler.appendFloatRecord(body, cells: cells) {
                assembler.endRecord()
                continue
            }
            let single = assembler.inputCount == 1
            for (column, cell) in cells.enumerated() {
                let input = single ? 0 : assembler.input(forFlatColumn: column)
                try assembler.appendCSV(body, cell, input: input, row: row, column: column + 1)
            }
            assembler.endRecord()
        }
    }

    /// Rejects bodies that are not UTF-8 (ASCII bodies pass on a fast path).
    private static func validateUTF8(_ body: [UInt8]) throws(PayloadError) {
        if body.allSatisfy({ $0 < 0x80 }) { return }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw PayloadError(code: "invalid_utf8", message: "the request body is not valid UTF-8")
        }
    }

    private static func decodeJSON(_ body: [UInt8], into assembler: inout FeedAssembler) throws(PayloadError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw PayloadError(code: "malformed_json", message: error.message)
        }
        let instances: [JSONValue]
        switch document {
        case .object(let members):
            if let list = document["instances"] {
                guard case .array(let array) = list else {
                    throw PayloadError(code: "bad_instances", message: "\"instances\" must be an array of records, got \(list)")
                }
                instances = array
            } else if members.isEmpty {
                throw PayloadError(code: "bad_instances", message: "the JSON object has no \"instances\" member")
            } else {
                instances = [document]  // one keyed or {"features": [...]} record
            }
        case .array(let array):
            // A bare array of scalars is one record; otherwise each element is a record.
            // An empty array holds no records (not one record of no values).
            instances = !array.isEmpty && array.allSatisfy(\.isScalar) ? [document] : array
        default:
            throw PayloadError(
                code: "bad_instances",
                message: "expected {\"instances\": [...]}, an array of records or one record, got \(document)")
        }
        guard !instances.isEmpty else {
            throw PayloadError(code: "empty_body", message: "\"instances\" is empty; send at least one record")
        }
        for (offset, instance) in instances.enumerated() {
            try appendInstance(instance, row: offset + 1, into: &assembler)
        }
    }

    private static func decodeJSONLines(_ body: [UInt8], into assembler: inout FeedAssembler) throws(PayloadError) {
        var row = 0
        var start = 0
        var lines: [Range<Int>] = []
        for index in body.indices where body[index] == 0x0A {
            lines.append(start..<index)
            start = index + 1
        }
        if start < body.count { lines.append(start..<body.count) }
        while let last = lines.last, body[last].allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { lines.removeLast() }
        for line in lines {
            row += 1
            let value: JSONValue
            do {
                value = try JSONParser.parse(body, range: line)
            } catch {
                throw PayloadError(
                    code: "malformed_json", message: "row \(row): \(error.message.replacingByteOffset(of: line))",
                    row: row)
            }
            try appendInstance(value, row: row, into: &assembler)
        }
    }

    /// Appends one record given in any of the accepted JSON forms.
    private static func appendInstance(
        _ instance: JSONValue, row: Int, into assembler: inout FeedAssembler
    ) throws(PayloadError) {
        switch instance {
        case .array(let values):
            try appendFlat(values, row: row, into: &assembler)
        case .object(let members):
            if let features = instance["features"] {
                try appendFlat(features.asArray, row: row, into: &assembler)
            } else if let values = instance["data"]?["features"]?["values"] {
                try appendFlat(values.asArray, row: row, into: &assembler)
            } else {
                try appendKeyed(members, row: row, into: &assembler)
            }
        default:
            if assembler.flatWidth == 1 || assembler.flatWidth == nil {
                try appendFlat([instance], row: row, into: &assembler)
            } else {
                throw PayloadError(
                    code: "bad_record",
                    message: "row \(row): expected an array of \(assembler.flatWidth ?? 0) values or an object, got \(instance)",
                    row: row)
            }
        }
    }

    private static func appendFlat(_ values: [JSONValue], row: Int, into assembler: inout FeedAssembler) throws(PayloadError) {
        try assembler.beginFlatRecord(width: values.count, row: row)
        if assembler.appendFloatRecord(values) {
            assembler.endRecord()
            return
        }
        for (column, value) in values.enumerated() {
            let input = assembler.inputCount == 1 ? 0 : assembler.input(forFlatColumn: column)
            try assembler.appendJSON(value, input: input, row: row, column: column + 1)
        }
        assembler.endRecord()
    }

    private static func appendKeyed(
        _ members: [(String, JSONValue)], row: Int, into assembler: inout FeedAssembler
    ) throws(PayloadError) {
        let names = assembler.inputNames
        for (name, _) in members where !names.contains(name) {
            throw PayloadError(
                code: "unknown_input",
                message: "row \(row): unknown input '\(name)'; the model's inputs are " + names.map { "'\($0)'" }.joined(separator: ", "),
                row: row, expected: names.joined(separator: ", "), got: name)
        }
        var column = 0
        for name in names {
            guard let value = members.first(where: { $0.0 == name })?.1 else {
                throw PayloadError(
                    code: "missing_input", message: "row \(row): input '\(name)' is missing", row: row, expected: name)
            }
            guard let (index, _) = assembler.input(named: name) else { continue }
            let values = value.asArray
            try assembler.checkKeyedWidth(input: index, width: values.count, row: row)
            for item in values {
                column += 1
                try assembler.appendJSON(item, input: index, row: row, column: column)
            }
        }
        assembler.endRecord()
    }
}

extension JSONValue {
    fileprivate var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    /// An array's elements, or a scalar as a one-element array.
    fileprivate var asArray: [JSONValue] {
        if case .array(let values) = self { return values }
        return [self]
    }
}

extension String {
    /// Rewrites "at byte N" (offset in the whole body) to an offset within the line.
    fileprivate func replacingByteOffset(of line: Range<Int>) -> String {
        guard let range = self.range(of: "at byte ") else { return self }
        let digits = self[range.upperBound...].prefix { $0.isNumber }
        guard let absolute = Int(digits) else { return self }
        return String(self[..<range.lowerBound]) + "at byte \(absolute - line.lowerBound) of the line"
            + String(self[self.index(range.upperBound, offsetBy: digits.count)...])
    }
}
