/// Byte-level ASCII helpers shared by the parser, headers and encoder.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// Case-insensitive equality of two ASCII strings (non-ASCII bytes compare exactly).
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where lower(p) != lower(q) { return false }
        return true
    }

    /// Whether `value` starts with `lowercasePrefix`, ignoring ASCII case in `value`.
    static func hasPrefixIgnoringCase(_ value: String, _ lowercasePrefix: String) -> Bool {
        let x = value.utf8, y = lowercasePrefix.utf8
        guard x.count >= y.count else { return false }
        for (p, q) in zip(x, y) where lower(p) != q { return false }
        return true
    }

    /// Case-insensitive equality of bytes with a lowercase ASCII literal.
    @inline(__always)
    static func equalsIgnoringCase(_ a: Span<UInt8>, _ lowercase: String) -> Bool {
        let literal = lowercase.utf8
        guard a.count == literal.count else { return false }
        var index = 0
        for byte in literal {
            if lower(a[index]) != byte { return false }
            index += 1
        }
        return true
    }

    /// Whether `byte` may appear in a header name or method (RFC 9110 `tchar`).
    static let isTokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for char in "!#$%&'*+-.^_`|~".utf8 { table[Int(char)] = true }
        return table
    }()

    /// Whether `value` contains one comma-separated token equal (ignoring case) to `token` (lowercase).
    static func containsToken(_ value: String, _ token: String) -> Bool {
        for part in value.split(separator: ",") {
            let trimmed = part.trimmingASCIIWhitespace()
            if equalsIgnoringCase(String(trimmed), token) { return true }
        }
        return false
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Fixed-width lowercase hex (16 digits) of `value`.
    static func hex16(_ value: UInt64) -> String {
        var digits = InlineArray<16, UInt8>(repeating: 0)
        for index in 0..<16 {
            digits[index] = hexDigits[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
        }
        return string(digits.span)
    }

    /// Appends the decimal digits of a non-negative integer.
    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(0x30 + max(value, 0)))
            return
        }
        var width = 0
        var remaining = value
        while remaining > 0 {
            width += 1
            remaining /= 10
        }
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(0x30), count: width))
        remaining = value
        var index = start + width
        while remaining > 0 {
            index -= 1
            output[index] = UInt8(0x30 + remaining % 10)
            remaining /= 10
        }
    }

    /// The bytes as a String: one copy when they are valid UTF-8, otherwise decoded with U+FFFD repairs
    /// (the same result as `String(decoding:as: UTF8.self)`).
    @inline(__always)
    static func string(_ bytes: Span<UInt8>) -> String {
        if let valid = try? UTF8Span(validating: bytes) {
            return String(copying: valid)
        }
        return String(decoding: [UInt8](copying: bytes), as: UTF8.self)
    }
}

extension Substring {
    /// The substring without leading/trailing spaces and tabs.
    func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
