/// The one number grammar for CSV cells of float and double inputs (JSON numbers follow RFC 8259, which is the
/// same grammar without the leading `+` and the bare `.5` / `5.` forms):
///
///     cell     = number | missing
///     number   = [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ]
///     digits   = 1*( "0"-"9" )
///     missing  = "" | "nan"        (case-insensitive; the cell is a missing value, NaN)
///
/// Whitespace around a cell is trimmed before. Everything else is refused with 400 `bad_cell`: hexadecimal
/// floats (`0x1p3`), `inf`/`infinity`, trailing bytes (a NUL after the digits, which `strtod` stopped at),
/// thousands separators. A number whose magnitude overflows the input's type (`1e400`, or `1e39` for float32)
/// is refused as out of range rather than turned into infinity. Underflow rounds to zero, as IEEE parsing does.
enum StrictNumber {
    /// What a cell holds.
    enum Cell: Equatable {
        case number
        case missing
        case invalid
    }

    /// Classifies `bytes[range]` by the grammar above (no conversion).
    static func classify(_ bytes: [UInt8], _ range: Range<Int>) -> Cell {
        var i = range.lowerBound
        let end = range.upperBound
        if i == end { return .missing }
        if end - i == 3 {
            let lower = bytes[i..<end].map { $0 | 0x20 }
            if lower == Array("nan".utf8) { return .missing }
        }
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        var mantissaDigits = 0
        while i < end, isDigit(bytes[i]) {
            i += 1
            mantissaDigits += 1
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, isDigit(bytes[i]) {
                i += 1
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return .invalid }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            var exponentDigits = 0
            while i < end, isDigit(bytes[i]) {
                i += 1
                exponentDigits += 1
            }
            guard exponentDigits > 0 else { return .invalid }
        }
        return i == end ? .number : .invalid
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
