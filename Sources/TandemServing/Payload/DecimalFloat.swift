/// Exact float32 parsing for the plain decimals that fill CSV feature rows (`13.4`, `-0.1106`,
/// `556`), without building a String. Anything else (exponents, `nan`, more than seven significant
/// digits, ...) returns nil and the caller falls back to `Float(String)`.
///
/// Exactness (Clinger's fast path): the digits form an integer `w < 2^24` and the scale is `10^k`
/// with `k <= 10`; both are exact in Float (`10^k = 5^k * 2^k` and `5^10 < 2^24`), so the single
/// IEEE division `w / 10^k` rounds once, correctly, exactly as `strtof` does.
enum DecimalFloat {
    private static let powers: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    static func parse(_ body: [UInt8], _ range: Range<Int>) -> Float? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var negative = false
        if body[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt32 = 0
        var digits = 0
        var fraction = 0
        var seenDot = false
        var seenDigit = false
        while i < end {
            let byte = body[i]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                seenDigit = true
                if mantissa != 0 || byte != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 7 else { return nil }
                mantissa = mantissa * 10 + UInt32(byte - UInt8(ascii: "0"))
                if seenDot { fraction += 1 }
            } else if byte == UInt8(ascii: ".") && !seenDot {
                seenDot = true
            } else {
                return nil
            }
            i += 1
        }
        guard seenDigit, fraction <= 10 else { return nil }
        let value = Float(mantissa) / powers[fraction]
        return negative ? -value : value
    }
}
