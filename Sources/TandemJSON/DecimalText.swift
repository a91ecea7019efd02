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
    /// Integral values below 2^24 take a shortcut (their description is the integer followed by `.0`), other
    /// values in [2^-13, 2^24) are printed by `appendShortestFixedPoint`, the rest by the standard library.
    public static func append(_ value: Float, to out: inout [UInt8]) {
        if value == value.rounded(.towardZero), value.magnitude < 16_777_216 {
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            appendDigits(UInt64(value.magnitude), to: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        if appendShortestFixedPoint(value, to: &out) { return }
        var sink = ByteSink(bytes: out)
        out = []
        value.write(to: &sink)
        out = sink.bytes
    }

    /// The shortest digits of a non-integral Float in [2^-13, 2^24) (probabilities, scores, most regression
    /// values), written in the decimal form `description` uses there (`0.0123`, `151.25`); false for other values.
    ///
    /// Exact integer arithmetic: in units of 2^-40 the float is the integer V < 2^64, and the values that read back
    /// as it (round to nearest, ties to even) are those strictly within L below and H above it (inclusive when its
    /// mantissa is even). For n = 1, 2, ... fractional digits, the candidates are the integers d with
    /// d * 2^40 / 10^n in that interval; the first n with any candidate gives the fewest digits (the interval holds
    /// no integer, so the integer part is fixed), and the candidate nearest V is the one `description` prints.
    /// Every product stays below 2^64 * 10^13 < 2^108.
    static func appendShortestFixedPoint(_ value: Float, to out: inout [UInt8]) -> Bool {
        let magnitude = value.magnitude
        guard magnitude >= 0x1p-13, magnitude < 0x1p24 else { return false }
        let bits = magnitude.bitPattern
        let mantissa = UInt64(bits & 0x7F_FFFF) | 1 << 23
        let shift = Int(bits >> 23) - 150 + 40  // value = mantissa * 2^(shift - 40), shift in 4...40
        let v = UInt128(mantissa) << shift
        let above = UInt128(1) << (shift - 1)  // half the gap to the next float up
        let below = mantissa == 1 << 23 ? above >> 1 : above  // the float below a power of two is twice as close
        let inclusive = mantissa & 1 == 0
        let unit = UInt128(1) << 40
        let fractionMask = unit - 1
        var low = v - below, high = v + above, scaled = v
        for n in 1...13 {
            low &*= 10
            high &*= 10
            scaled &*= 10
            let first = (low >> 40) + (inclusive && low & fractionMask == 0 ? 0 : 1)
            let last = (high >> 40) - (!inclusive && high & fractionMask == 0 ? 1 : 0)
            guard first <= last else { continue }
            var digits = scaled >> 40
            let remainder = scaled & fractionMask
            if remainder > unit >> 1 || (remainder == unit >> 1 && digits & 1 == 1) { digits += 1 }
            digits = min(max(digits, first), last)
            guard digits < 100_000_000_000_000_000 else { return false }
            let d = UInt64(digits)
            var power: UInt64 = 1
            for _ in 0..<n { power *= 10 }
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            appendDigits(d / power, to: &out)
            out.append(UInt8(ascii: "."))
            var fraction = d % power
            // n digits with their leading zeros, most significant first.
            var place = power / 10
            while place > 0 {
                out.append(UInt8(ascii: "0") + UInt8(fraction / place))
                fraction %= place
                place /= 10
            }
            return true
        }
        return false
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
