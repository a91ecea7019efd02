/// Correctly rounded decimal-to-binary parsing straight from request bytes, with no String and no allocation on
/// the common path: the same results, bit for bit, as `Double(String)` and `Float(String)` (which round
/// correctly), at parser speed.
///
/// The grammar is the strict one Tandem accepts for numbers (JSON numbers are a subset of it):
///
///     number = [ "+" | "-" ] ( digits [ "." [ digits ] ] | "." digits ) [ ( "e" | "E" ) [ "+" | "-" ] digits ]
///
/// Anything else (`nan`, `inf`, hex floats, spaces, trailing bytes) returns nil. Magnitudes too large for the type
/// give infinity and too small give zero, as IEEE parsing does; the caller decides whether those are acceptable.
///
/// How: the digits are read into a 64-bit integer `w` (the first 19 significant digits) and a decimal exponent
/// `q`. Then, cheapest first:
/// 1. Clinger's fast path: `w` and `10^|q|` are both exact in the type, so one IEEE multiply or divide rounds once.
/// 2. Eisel-Lemire (`EiselLemire.compute`), which decides every exact `w`.
/// 3. More than 19 significant digits: the value lies between `w * 10^q` and `(w + 1) * 10^q`; when both round to
///    the same float, that is the answer; otherwise (rare: the digits sit next to a halfway point) the
///    standard library's exact parser decides, from a String of this one number.
public enum DecimalNumber {
    /// The Double nearest `bytes[range]`, or nil when it is not a number by the grammar above.
    public static func parseDouble(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        guard let d = scan(bytes, range) else { return nil }
        if d.mantissa == 0 { return d.negative ? -0.0 : 0.0 }
        if !d.truncated, d.exponent >= -22, d.exponent <= 22, d.mantissa <= 1 << 53 {
            let w = Double(d.mantissa)
            let value = d.exponent < 0 ? w / doublePowers[-d.exponent] : w * doublePowers[d.exponent]
            return d.negative ? -value : value
        }
        if let bits = binary(d, format: .double) {
            return Double(bitPattern: bits.mantissa | UInt64(bits.power2) << 52 | (d.negative ? 1 << 63 : 0))
        }
        return Double(String(decoding: bytes[range], as: UTF8.self))
    }

    /// The Float nearest `bytes[range]` (rounded once, from the decimal: not via Double), or nil when it is not
    /// a number by the grammar above.
    public static func parseFloat(_ bytes: [UInt8], _ range: Range<Int>) -> Float? {
        guard let d = scan(bytes, range) else { return nil }
        if d.mantissa == 0 { return d.negative ? -0.0 : 0.0 }
        if !d.truncated, d.exponent >= -10, d.exponent <= 10, d.mantissa <= 1 << 24 {
            let w = Float(d.mantissa)
            let value = d.exponent < 0 ? w / floatPowers[-d.exponent] : w * floatPowers[d.exponent]
            return d.negative ? -value : value
        }
        if let bits = binary(d, format: .float) {
            return Float(bitPattern: UInt32(bits.mantissa) | UInt32(bits.power2) << 23 | (d.negative ? 1 << 31 : 0))
        }
        return Float(String(decoding: bytes[range], as: UTF8.self))
    }

    /// A scanned decimal: `±mantissa * 10^exponent`, exactly unless `truncated` (nonzero digits past the 19th
    /// were dropped, so the value lies strictly between that and `(mantissa + 1) * 10^exponent`).
    struct Decimal {
        var mantissa: UInt64
        var exponent: Int
        var negative: Bool
        var truncated: Bool
    }

    /// The Eisel-Lemire answer for `d`, or nil when only the exact parser can decide.
    private static func binary(_ d: Decimal, format: EiselLemire.Format) -> (mantissa: UInt64, power2: Int)? {
        guard let low = EiselLemire.compute(q: d.exponent, w: d.mantissa, format: format) else { return nil }
        if !d.truncated { return low }
        guard let high = EiselLemire.compute(q: d.exponent, w: d.mantissa + 1, format: format),
            high.mantissa == low.mantissa, high.power2 == low.power2
        else { return nil }
        return low
    }

    /// Reads `bytes[range]` by the grammar; nil when it does not match.
    static func scan(_ bytes: [UInt8], _ range: Range<Int>) -> Decimal? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if bytes[i] == UInt8(ascii: "+") {
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits in `mantissa`, from the first nonzero one
        var exponent = 0
        var truncated = false
        var digits = 0
        while i < end {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            digits += 1
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if digit != 0 { truncated = true }
            }
            i += 1
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                digits += 1
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if digit != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var negativeExponent = false
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                negativeExponent = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            var exponentDigits = 0
            while i < end {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                // Saturate: any exponent past 10^6 is zero or infinity whatever the digits (bodies are far
                // shorter than 10^6 digits), and the sum below cannot overflow.
                if value < 1_000_000 { value = value * 10 + Int(digit) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += negativeExponent ? -value : value
        }
        guard i == end else { return nil }
        return Decimal(mantissa: mantissa, exponent: exponent, negative: negative, truncated: truncated)
    }

    /// 10^0 ... 10^22, each exact in Double (5^22 < 2^53).
    private static let doublePowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    /// 10^0 ... 10^10, each exact in Float (5^10 < 2^24).
    private static let floatPowers: [Float] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]
}
