import TandemJSON

/// Writes CSV records into a byte buffer: cells separated by commas, each record ended by a line feed (Tandem's
/// responses have always used LF; RFC 4180 readers accept it). A text cell is quoted per RFC 4180 when it holds
/// a comma, a double quote, CR or LF, with its double quotes doubled. Numbers go straight into the buffer.
struct CSVWriter {
    /// The CSV written so far.
    private(set) var bytes: [UInt8] = []
    private var atRecordStart = true

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// A text cell, quoted when it needs to be.
    mutating func cell(_ text: String) {
        separate()
        let needsQuotes = text.utf8.contains { $0 == Self.comma || $0 == Self.quote || $0 == Self.lf || $0 == Self.cr }
        guard needsQuotes else {
            bytes.append(contentsOf: text.utf8)
            return
        }
        bytes.append(Self.quote)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == Self.quote { bytes.append(Self.quote) }
        }
        bytes.append(Self.quote)
    }

    /// An integer cell.
    mutating func cell(_ value: Int64) {
        separate()
        DecimalText.append(value, to: &bytes)
    }

    /// A number cell: the shortest round-trip form (`description`), `nan` for NaN, `inf`/`-inf` for infinities.
    mutating func cell(_ value: Float) {
        separate()
        if value.isFinite {
            DecimalText.append(value, to: &bytes)
        } else {
            bytes.append(contentsOf: (value.isNaN ? "nan" : value < 0 ? "-inf" : "inf").utf8)
        }
    }

    /// A Double cell: the shortest round-trip form, `nan` for NaN and for infinities.
    mutating func cell(missingIfNotFinite value: Double) {
        separate()
        if value.isFinite { DecimalText.append(value, to: &bytes) } else { bytes.append(contentsOf: "nan".utf8) }
    }

    /// A Float cell: the shortest round-trip form, `nan` for NaN and for infinities.
    mutating func cell(missingIfNotFinite value: Float) {
        separate()
        if value.isFinite { DecimalText.append(value, to: &bytes) } else { bytes.append(contentsOf: "nan".utf8) }
    }

    /// A cell written as is (`true`, `false`).
    mutating func rawCell(_ text: StaticString) {
        separate()
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Ends the record with a line feed.
    mutating func endRecord() {
        bytes.append(Self.lf)
        atRecordStart = true
    }

    private mutating func separate() {
        if atRecordStart {
            atRecordStart = false
        } else {
            bytes.append(Self.comma)
        }
    }

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
}
