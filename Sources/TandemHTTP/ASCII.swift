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
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in equalsIgnoringCase(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
    }

    /// Case-insensitive equality of raw bytes with a lowercase ASCII literal's bytes.
    @inline(__always)
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ lowercase: UnsafeRawBufferPointer) -> Bool {
        guard a.count == lowercase.count else { return false }
        for index in 0..<a.count where lower(a[index]) != lower(lowercase[index]) { return false }
        return true
    }

    /// Case-insensitive equality of raw bytes with an ASCII literal.
    @inline(__always)
    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        // StaticString's storage is immortal program data.
        equalsIgnoringCase(a, UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
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
        String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                buffer[index] = hexDigits[Int((value >> UInt64(60 - 4 * index)) & 0xF)]
            }
            return 16
        }
    }

    /// Appends the decimal digits of a non-negative integer.
    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(0x30 + value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        // withUnsafeMutableBytes: a fixed 20-byte scratch tuple, written and read within the closure.
        withUnsafeMutableBytes(of: &digits) { scratch in
            while remaining > 0 {
                scratch[19 - count] = UInt8(0x30 + remaining % 10)
                remaining /= 10
                count += 1
            }
            output.append(contentsOf: scratch[(20 - count)...])
        }
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
