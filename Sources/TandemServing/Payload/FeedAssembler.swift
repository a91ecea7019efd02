import TandemJSON
import TandemONNX

/// Collects a request's records into one tensor per model input, checking every record's width and
/// every cell's type as it goes, so a bad record is reported by its row and column.
///
/// A flat record holds the inputs' columns one after another in signature order (how `input.csv`
/// files lay out multi-input models); a keyed record names each input.
struct FeedAssembler {
    private let inputs: [ModelSignature.Input]
    private var widths: [Int]
    private var columns: [TensorData]
    private(set) var rows = 0

    init(inputs: [ModelSignature.Input], expectedRows: Int = 1) throws(PayloadError) {
        self.inputs = inputs
        var widths: [Int] = []
        for input in inputs {
            guard let width = input.featureCount else {
                if inputs.count == 1 {
                    widths.append(-1)  // learned from the first record
                    continue
                }
                throw PayloadError(
                    status: 500, code: "unsupported_signature",
                    message: "input '\(input.name)' has no fixed feature count; multi-input models need one")
            }
            widths.append(width)
        }
        self.widths = widths
        self.columns = inputs.map { TensorData.empty($0.elementType, capacity: max(1, widths.first ?? 1) * expectedRows) }
    }

    /// The number of values a flat record must hold, or nil while it is still unknown.
    var flatWidth: Int? {
        widths.contains(-1) ? nil : widths.reduce(0, +)
    }

    /// The signature's inputs.
    var inputCount: Int { inputs.count }

    /// True when the model takes one string per record (a text classifier): a blank CSV line is
    /// then a record holding the empty string, not a missing record.
    var takesOneString: Bool { inputs.count == 1 && inputs[0].elementType == .string && widths == [1] }

    /// The total width description used in messages (`30 values` or `6 values (num: 4, cat: 2)`).
    private var widthDescription: String {
        let total = flatWidth.map(String.init) ?? "?"
        if inputs.count == 1 { return "\(total) values" }
        return "\(total) values (" + zip(inputs, widths).map { "\($0.name): \($1)" }.joined(separator: ", ") + ")"
    }

    /// Checks a flat record's width (learning it from the first record of a single-input model).
    mutating func beginFlatRecord(width: Int, row: Int) throws(PayloadError) {
        if widths.count == 1 && widths[0] == -1 {
            guard width > 0 else {
                throw PayloadError(code: "empty_record", message: "row \(row) has no values", row: row)
            }
            widths[0] = width
        }
        let expected = widths.reduce(0, +)
        guard width == expected else {
            throw PayloadError(
                code: "wrong_feature_count",
                message: "row \(row) has \(width) values; the model expects \(widthDescription)",
                row: row, expected: widthDescription, got: "\(width) values")
        }
    }

    /// Maps a flat column index to the input it feeds.
    func input(forFlatColumn column: Int) -> Int {
        var remaining = column
        for (index, width) in widths.enumerated() {
            if remaining < width { return index }
            remaining -= width
        }
        return widths.count - 1
    }

    /// The index and width of the input called `name`, for keyed records.
    func input(named name: String) -> (index: Int, width: Int)? {
        guard let index = inputs.firstIndex(where: { $0.name == name }) else { return nil }
        return (index, widths[index])
    }

    /// The input names, for messages.
    var inputNames: [String] { inputs.map(\.name) }

    /// Checks the width of one input's values in a keyed record.
    mutating func checkKeyedWidth(input index: Int, width: Int, row: Int) throws(PayloadError) {
        if widths[index] == -1 { widths[index] = width }
        guard widths[index] == width else {
            throw PayloadError(
                code: "wrong_feature_count",
                message: "row \(row): input '\(inputs[index].name)' has \(width) values; the model expects \(widths[index])",
                row: row, expected: "\(widths[index]) values", got: "\(width) values")
        }
    }

    /// Appends a whole CSV record for a single float input (the common batch, every cell a number), parsing the
    /// cells straight into the input's buffer. Returns false, having appended nothing, when a cell is anything
    /// else (missing, malformed, out of range): the caller then goes cell by cell, for the messages.
    mutating func appendFloatRecord(_ body: [UInt8], cells: [Range<Int>]) -> Bool {
        guard inputs.count == 1, case .float(var values) = columns[0] else { return false }
        columns[0] = .float([])
        defer { columns[0] = .float(values) }
        let start = values.count
        for range in cells {
            guard let value = DecimalNumber.parseFloat(body, CSVReader.trimmed(body, range)), value.isFinite else {
                values.removeLast(values.count - start)
                return false
            }
            values.append(value)
        }
        return true
    }

    /// Appends one CSV cell, `body[range]`. Float and double cells follow `StrictNumber`'s grammar: empty cells
    /// and `nan` are missing values (NaN); infinity, hex floats, trailing bytes and out-of-range numbers are 400.
    mutating func appendCSV(_ body: [UInt8], _ range: Range<Int>, input index: Int, row: Int, column: Int) throws(PayloadError) {
        let cell = CSVReader.trimmed(body, range)
        if case .string(var values) = columns[index] {
            columns[index] = .string([])
            values.append(CSVReader.unquoted(body, cell))
            columns[index] = .string(values)
            return
        }
        switch columns[index] {
        case .float(var values):
            // The common cell: a number, parsed straight from the body bytes (no String).
            if let value = DecimalNumber.parseFloat(body, cell) {
                guard value.isFinite else { throw outOfRange(row: row, column: column, input: index, got: Self.text(body, cell)) }
                columns[index] = .float([])
                values.append(value)
                columns[index] = .float(values)
                return
            }
            guard StrictNumber.classify(body, cell) == .missing else {
                throw badCell(row: row, column: column, input: index, got: Self.text(body, cell))
            }
            columns[index] = .float([])
            values.append(.nan)
            columns[index] = .float(values)
            return
        case .double(var values):
            if let value = DecimalNumber.parseDouble(body, cell) {
                guard value.isFinite else { throw outOfRange(row: row, column: column, input: index, got: Self.text(body, cell)) }
                columns[index] = .double([])
                values.append(value)
                columns[index] = .double(values)
                return
            }
            guard StrictNumber.classify(body, cell) == .missing else {
                throw badCell(row: row, column: column, input: index, got: Self.text(body, cell))
            }
            columns[index] = .double([])
            values.append(.nan)
            columns[index] = .double(values)
            return
        default:
            break
        }
        // Integers and booleans are short: the String stays in its inline (no allocation) form.
        let text = Self.text(body, cell)
        switch columns[index] {
        case .float, .double:
            break
        case .int64(var values):
            columns[index] = .int64([])
            defer { columns[index] = .int64(values) }
            guard let value = Int64(text) else { throw badCell(row: row, column: column, input: index, got: text) }
            values.append(value)
        case .int32(var values):
            columns[index] = .int32([])
            defer { columns[index] = .int32(values) }
            guard let value = Int32(text) else { throw badCell(row: row, column: column, input: index, got: text) }
            values.append(value)
        case .int8(var values):
            columns[index] = .int8([])
            defer { columns[index] = .int8(values) }
            guard let value = Int8(text) else { throw badCell(row: row, column: column, input: index, got: text) }
            values.append(value)
        case .uint8(var values):
            columns[index] = .uint8([])
            defer { columns[index] = .uint8(values) }
            guard let value = UInt8(text) else { throw badCell(row: row, column: column, input: index, got: text) }
            values.append(value)
        case .bool(var values):
            columns[index] = .bool([])
            defer { columns[index] = .bool(values) }
            switch text.lowercased() {
            case "true", "1": values.append(true)
            case "false", "0": values.append(false)
            default: throw badCell(row: row, column: column, input: index, got: text)
            }
        case .string:
            break
        }
    }

    /// Appends a whole JSON record for a single float input: numbers (rounded from Double, as `appendJSON` does)
    /// and nulls (missing). Returns false, having appended nothing, for anything else.
    mutating func appendFloatRecord(_ record: [JSONValue]) -> Bool {
        guard inputs.count == 1, case .float(var values) = columns[0] else { return false }
        columns[0] = .float([])
        defer { columns[0] = .float(values) }
        let start = values.count
        for item in record {
            switch item {
            case .number(let number) where Float(number).isFinite: values.append(Float(number))
            case .null: values.append(.nan)
            default:
                values.removeLast(values.count - start)
                return false
            }
        }
        return true
    }

    /// Appends a whole record of a binary body for a single float input: finite values and NaN (missing).
    /// Returns false, having appended nothing, for anything else (the caller then goes value by value).
    mutating func appendFloatRecord(_ record: ArraySlice<Double>) -> Bool {
        guard inputs.count == 1, case .float(var values) = columns[0] else { return false }
        columns[0] = .float([])
        defer { columns[0] = .float(values) }
        let start = values.count
        for item in record {
            let value = Float(item)
            guard value.isFinite || item.isNaN else {
                values.removeLast(values.count - start)
                return false
            }
            values.append(value)
        }
        return true
    }

    /// Appends one integer of a binary body: exact for integer inputs (an out-of-range value is a 400),
    /// converted for float inputs, 0 or 1 for booleans.
    mutating func appendInteger(_ value: Int64, input index: Int, row: Int, column: Int) throws(PayloadError) {
        switch columns[index] {
        case .int64(var values):
            columns[index] = .int64([])
            values.append(value)
            columns[index] = .int64(values)
        case .bool(var values) where value == 0 || value == 1:
            columns[index] = .bool([])
            values.append(value == 1)
            columns[index] = .bool(values)
        default:
            try appendJSON(.number(Double(value)), input: index, row: row, column: column)
        }
    }

    /// Appends one cell decoded from JSON. `null` is a missing value (NaN) for float inputs.
    mutating func appendJSON(_ value: JSONValue, input index: Int, row: Int, column: Int) throws(PayloadError) {
        switch (columns[index], value) {
        case (.float(var values), .number(let number)):
            let value = Float(number)
            guard value.isFinite else {
                throw outOfRange(row: row, column: column, input: index, got: String(number))
            }
            columns[index] = .float([])
            values.append(value)
            columns[index] = .float(values)
        case (.float(var values), .null):
            columns[index] = .float([])
            values.append(.nan)
            columns[index] = .float(values)
        case (.double(var values), .number(let number)):
            columns[index] = .double([])
            values.append(number)
            columns[index] = .double(values)
        case (.double(var values), .null):
            columns[index] = .double([])
            values.append(.nan)
            columns[index] = .double(values)
        case (.int64(var values), .number(let number)):
            guard number.rounded() == number, let exact = Int64(exactly: number) else {
                throw badCell(row: row, column: column, input: index, got: value.description)
            }
            columns[index] = .int64([])
            values.append(exact)
            columns[index] = .int64(values)
        case (.int32(var values), .number(let number)):
            guard let exact = Int32(exactly: number) else {
                throw badCell(row: row, column: column, input: index, got: value.description)
            }
            columns[index] = .int32([])
            values.append(exact)
            columns[index] = .int32(values)
        case (.int8(var values), .number(let number)):
            guard let exact = Int8(exactly: number) else {
                throw badCell(row: row, column: column, input: index, got: value.description)
            }
            columns[index] = .int8([])
            values.append(exact)
            columns[index] = .int8(values)
        case (.uint8(var values), .number(let number)):
            guard let exact = UInt8(exactly: number) else {
                throw badCell(row: row, column: column, input: index, got: value.description)
            }
            columns[index] = .uint8([])
            values.append(exact)
            columns[index] = .uint8(values)
        case (.string(var values), .string(let text)):
            columns[index] = .string([])
            values.append(text)
            columns[index] = .string(values)
        case (.bool(var values), .bool(let flag)):
            columns[index] = .bool([])
            values.append(flag)
            columns[index] = .bool(values)
        default:
            throw badCell(row: row, column: column, input: index, got: value.description)
        }
    }

    /// Marks the end of a record.
    mutating func endRecord() {
        rows += 1
    }

    /// The assembled tensors, `[rows, width]` each, keyed by input name.
    func feeds() -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for (index, input) in inputs.enumerated() {
            feeds[input.name] = Tensor(shape: [rows, max(widths[index], 0)], data: columns[index])
        }
        return feeds
    }

    /// A cell's bytes as text, for messages and the integer parsers.
    private static func text(_ body: [UInt8], _ cell: Range<Int>) -> String {
        String(decoding: body[cell], as: UTF8.self)
    }

    /// A well-formed number too large for the input's type (it would become infinity).
    private func outOfRange(row: Int, column: Int, input index: Int, got: String) -> PayloadError {
        let type = inputs[index].elementType
        let inputPart = inputs.count > 1 ? " (input '\(inputs[index].name)')" : ""
        return PayloadError(
            code: "bad_cell",
            message: "row \(row), column \(column)\(inputPart): '\(got)' is out of range for \(Self.describe(type))",
            row: row, column: column, expected: "\(Self.describe(type)) in range", got: got)
    }

    private func badCell(row: Int, column: Int, input index: Int, got: String) -> PayloadError {
        let type = inputs[index].elementType
        let inputPart = inputs.count > 1 ? " (input '\(inputs[index].name)')" : ""
        return PayloadError(
            code: "bad_cell",
            message: "row \(row), column \(column)\(inputPart): expected \(Self.describe(type)), got \(got.isEmpty ? "an empty cell" : "'\(got)'")",
            row: row, column: column, expected: Self.describe(type), got: got)
    }

    private static func describe(_ type: ElementType) -> String {
        switch type {
        case .float, .double: "a number (\(type))"
        case .int64, .int32, .int8, .uint8: "an integer (\(type))"
        case .string: "a string"
        case .bool: "a boolean"
        }
    }
}

extension TensorData {
    /// An empty buffer of `type`, with room for `capacity` values where that helps (floats).
    static func empty(_ type: ElementType, capacity: Int) -> TensorData {
        switch type {
        case .float: var v = [Float](); v.reserveCapacity(capacity); return .float(v)
        case .double: var v = [Double](); v.reserveCapacity(capacity); return .double(v)
        case .int64: return .int64([])
        case .int32: return .int32([])
        case .int8: return .int8([])
        case .uint8: return .uint8([])
        case .string: return .string([])
        case .bool: return .bool([])
        }
    }
}
