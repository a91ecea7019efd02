/// The one JSON writer: appends JSON text to a byte buffer, placing the commas between members and elements
/// itself. Every JSON body Tandem sends (predictions, errors, status, metrics, admin answers) is written by it.
///
///     var w = JSONWriter()
///     w.beginObject()
///     w.key("label"); w.number(1)
///     w.key("probabilities"); w.beginArray(); w.number(0.25 as Float); w.number(0.75 as Float); w.endArray()
///     w.endObject()   // {"label":1,"probabilities":[0.25,0.75]}
///
/// Numbers: integers in decimal; Float and Double in the shortest form that reads back to the same value
/// (Swift's `description`, byte for byte), written straight into the buffer; NaN and infinities, which JSON
/// cannot spell, as `null`.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the next value or key needs a comma before it (a value already stands in the open container).
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers and keys

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name inside an object; the next value written is its value.
    public mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        JSONWriter.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    public mutating func string(_ text: String) {
        separate()
        JSONWriter.appendQuoted(text, to: &bytes)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        fragment(value ? "true" : "false")
    }

    public mutating func null() {
        fragment("null")
    }

    public mutating func number(_ value: Int) {
        number(Int64(value))
    }

    public mutating func number(_ value: Int64) {
        separate()
        DecimalText.append(value, to: &bytes)
        needsComma = true
    }

    public mutating func number(_ value: UInt64) {
        separate()
        DecimalText.appendDigits(value, to: &bytes)
        needsComma = true
    }

    /// The shortest form that reads back to the same Float; NaN and infinities are `null`.
    public mutating func number(_ value: Float) {
        separate()
        if value.isFinite { DecimalText.append(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        needsComma = true
    }

    /// The shortest form that reads back to the same Double; NaN and infinities are `null`.
    public mutating func number(_ value: Double) {
        separate()
        if value.isFinite { DecimalText.append(value, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        needsComma = true
    }

    /// nil is `null`.
    public mutating func number(_ value: Double?) {
        if let value { number(value) } else { null() }
    }

    /// nil is `null`.
    public mutating func number(_ value: Int?) {
        if let value { number(value) } else { null() }
    }

    /// A value that is already JSON text (`"[1,2]"`, an escaped string, `true`), written as is.
    public mutating func fragment(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    /// A value that is already JSON bytes, written as is.
    public mutating func fragment(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    // MARK: Object members (a key and its value in one call)

    public mutating func member(_ name: String, string value: String) { key(name); string(value) }
    public mutating func member(_ name: String, int value: Int) { key(name); number(value) }
    public mutating func member(_ name: String, int value: UInt64) { key(name); number(value) }
    public mutating func member(_ name: String, bool value: Bool) { key(name); bool(value) }
    /// NaN and infinities are `null`.
    public mutating func member(_ name: String, double value: Double) { key(name); number(value) }
    /// nil, NaN and infinities are `null`.
    public mutating func member(_ name: String, double value: Double?) { key(name); number(value) }
    public mutating func member(_ name: String, doubles values: [Double]) {
        key(name)
        beginArray()
        for value in values { number(value) }
        endArray()
    }
    public mutating func member(_ name: String, strings values: [String]) {
        key(name)
        beginArray()
        for value in values { string(value) }
        endArray()
    }
    /// `json` is written as is.
    public mutating func member(_ name: String, fragment json: String) { key(name); fragment(json) }

    // MARK: Raw output

    /// Bytes outside the JSON structure (a line feed between JSON Lines records); resets the comma state,
    /// so the next value starts a new document.
    public mutating func newline() {
        bytes.append(0x0A)
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    // MARK: Strings

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` quoted and escaped: `"` and `\` escaped, `\n`, `\r`, `\t`, other control characters as
    /// `\u00xx`; everything else (UTF-8 included) as is.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(0x5C); out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
