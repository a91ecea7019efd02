/// The records of a binary request body (`application/x-npy`, `application/x-recordio-protobuf`), as
/// numbers: `rows` records of `columns` values each, row after row.
///
/// Integer bodies keep their values exact (`int64`); floating ones are held as `Double`, which holds every
/// `float32` exactly. NaN is a missing value, as an empty CSV cell is.
struct NumericMatrix: Sendable, Equatable {
    enum Values: Sendable, Equatable {
        case double([Double])
        case int64([Int64])
    }

    var rows: Int
    var columns: Int
    var values: Values

    /// Feeds every record to `assembler`, with the row and column numbers the other formats report.
    /// `firstRow` is the 1-based number of this matrix's first record in the request.
    func append(to assembler: inout FeedAssembler, firstRow: Int = 1) throws(PayloadError) {
        for row in 0..<rows {
            let number = firstRow + row
            try assembler.beginFlatRecord(width: columns, row: number)
            let base = row * columns
            if case .double(let values) = values, assembler.appendFloatRecord(values[base..<(base + columns)]) {
                assembler.endRecord()
                continue
            }
            for column in 0..<columns {
                let input = assembler.inputCount == 1 ? 0 : assembler.input(forFlatColumn: column)
                switch values {
                case .double(let values):
                    try assembler.appendNumber(values[base + column], input: input, row: number, column: column + 1)
                case .int64(let values):
                    try assembler.appendInteger(values[base + column], input: input, row: number, column: column + 1)
                }
            }
            assembler.endRecord()
        }
    }
}

extension FeedAssembler {
    /// Appends one number from a binary body: NaN is a missing value, as `null` is in JSON.
    mutating func appendNumber(_ value: Double, input: Int, row: Int, column: Int) throws(PayloadError) {
        try appendJSON(value.isNaN ? .null : .number(value), input: input, row: row, column: column)
    }
}
