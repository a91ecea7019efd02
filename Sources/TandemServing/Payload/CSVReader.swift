/// Splits CSV bytes into records and cells without building Strings: one record per line,
/// comma-separated, CRLF and trailing blank lines tolerated, double-quoted cells with `""` escapes
/// (no line breaks inside quotes, as SageMaker's batch splitting also assumes).
enum CSVReader {
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")

    /// The byte ranges of the records, without line terminators; trailing blank lines are dropped.
    static func records(_ body: [UInt8]) -> [Range<Int>] {
        var records: [Range<Int>] = []
        var start = 0
        var index = 0
        let count = body.count
        while index < count {
            if body[index] == lf {
                records.append(start..<(index > start && body[index - 1] == cr ? index - 1 : index))
                start = index + 1
            }
            index += 1
        }
        if start < count { records.append(start..<(body[count - 1] == cr ? count - 1 : count)) }
        while let last = records.last, isBlank(body, last) { records.removeLast() }
        return records
    }

    /// True when the range holds only spaces and tabs.
    static func isBlank(_ body: [UInt8], _ range: Range<Int>) -> Bool {
        for i in range where body[i] != 0x20 && body[i] != 0x09 { return false }
        return true
    }

    /// True when the record holds an odd number of double quotes.
    static func hasUnterminatedQuote(_ body: [UInt8], _ record: Range<Int>) -> Bool {
        var quotes = 0
        for i in record where body[i] == quote { quotes += 1 }
        return quotes % 2 == 1
    }

    /// The byte ranges of one record's cells, appended to `cells` (which is cleared first).
    /// Commas inside double quotes do not split.
    static func cells(_ body: [UInt8], _ record: Range<Int>, into cells: inout [Range<Int>]) {
        cells.removeAll(keepingCapacity: true)
        var start = record.lowerBound
        var inQuotes = false
        for i in record {
            let byte = body[i]
            if byte == quote {
                inQuotes.toggle()
            } else if byte == comma && !inQuotes {
                cells.append(start..<i)
                start = i + 1
            }
        }
        cells.append(start..<record.upperBound)
    }

    /// The range without leading and trailing spaces and tabs.
    static func trimmed(_ body: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, body[lower] == 0x20 || body[lower] == 0x09 { lower += 1 }
        while upper > lower, body[upper - 1] == 0x20 || body[upper - 1] == 0x09 { upper -= 1 }
        return lower..<upper
    }

    /// A cell's text without its surrounding quotes, with `""` turned back into `"`.
    static func unquoted(_ body: [UInt8], _ range: Range<Int>) -> String {
        guard range.count >= 2, body[range.lowerBound] == quote, body[range.upperBound - 1] == quote else {
            return String(decoding: body[range], as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count - 2)
        var i = range.lowerBound + 1
        while i < range.upperBound - 1 {
            bytes.append(body[i])
            if body[i] == quote, i + 1 < range.upperBound - 1, body[i + 1] == quote { i += 1 }
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
