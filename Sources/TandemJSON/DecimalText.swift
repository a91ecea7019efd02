/// Numbers as decimal text, appended straight to a byte buffer (no String in between for integers, and
/// Swift's own shortest round-trip digits for Float and Double, so the bytes equal `description`'s).
public enum DecimalText {
    /// Appends `value` in decimal (`-42`).
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, to: &out)
    }

    /// Appends the digits of `value`.
    static func appendDigits(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 20 digits at most, 5 per word
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            // Invariant: a UInt64 has at most 20 decimal digits and `buffer` holds 32 bytes, so
            // `count` stays below buffer.count.
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            var i = count - 1
            while i >= 0 {
                out.append(buffer[i])
                i -= 1
            }
        }
    }

    /// Appends `value` as `value.description` would spell it (`0.25`, `1e-05`, `100.0`), for finite values.
    /// Integral values below 2^24 take a shortcut (their description is the integer followed by `.0`).
    public static func append(_ value: Float, to out: inout [UInt8]) {
        if value == value.rounded(.towardZero), value.magnitude < 16_777_216 {
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            appendDigits(UInt64(value.magnitude), to: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        var sink = ByteSink(bytes: out)
        out = []
        value.write(to: &sink)
        out = sink.bytes
    }

    /// Appends `value` as `value.description` would spell it, for finite values. Integral values below 2^53 take
    /// the same shortcut as Float's.
    public static func append(_ value: Double, to out: inout [UInt8]) {
        if value == value.rounded(.towardZero), value.magnitude < 9_007_199_254_740_992 {
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            appendDigits(UInt64(value.magnitude), to: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        var sink = ByteSink(bytes: out)
        out = []
        value.write(to: &sink)
        out = sink.bytes
    }

    /// A TextOutputStream that appends to bytes (the standard library hands it the ASCII digits).
    private struct ByteSink: TextOutputStream {
        var bytes: [UInt8]

        mutating func write(_ string: String) {
            bytes.append(contentsOf: string.utf8)
        }
    }
}
