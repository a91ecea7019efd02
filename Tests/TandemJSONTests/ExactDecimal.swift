/// Exact decimal spellings of dyadic rationals `m * 2^e` (a float, or a midpoint between two floats), by a small
/// base-10^9 big integer: the test oracle for halfway cases, which need every digit.
enum ExactDecimal {
    /// The exact decimal text of `m * 2^e`.
    static func text(_ m: UInt64, timesTwoToThe e: Int) -> String {
        var limbs: [UInt64] = []  // little-endian base 10^9
        var rest = m
        repeat {
            limbs.append(rest % 1_000_000_000)
            rest /= 1_000_000_000
        } while rest > 0
        // m * 2^e = m * 5^-e / 10^-e for e < 0.
        let factor: UInt64 = e >= 0 ? 2 : 5
        for _ in 0..<abs(e) { multiply(&limbs, by: factor) }
        var digits = String(limbs[limbs.count - 1])
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            digits += String(repeating: "0", count: 9 - s.count) + s
        }
        guard e < 0 else { return digits }
        let fractionDigits = -e
        if digits.count <= fractionDigits {
            return "0." + String(repeating: "0", count: fractionDigits - digits.count) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -fractionDigits)
        return String(digits[..<point]) + "." + String(digits[point...])
    }

    private static func multiply(_ limbs: inout [UInt64], by factor: UInt64) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let product = limbs[i] * factor + carry
            limbs[i] = product % 1_000_000_000
            carry = product / 1_000_000_000
        }
        if carry > 0 { limbs.append(carry) }
    }

    /// The midpoint between finite, positive `value` and the next Double up, as (m, e) with m odd.
    static func midpointAbove(_ value: Double) -> (UInt64, Int) {
        let significand = value.significandBitPattern | (value.exponentBitPattern == 0 ? 0 : 1 << 52)
        let exponent = value.exponentBitPattern == 0 ? -1074 : Int(value.exponentBitPattern) - 1075
        return (2 * significand + 1, exponent - 1)
    }

    /// The midpoint between finite, positive `value` and the next Float up, as (m, e) with m odd.
    static func midpointAbove(_ value: Float) -> (UInt64, Int) {
        let significand = UInt64(value.significandBitPattern | (value.exponentBitPattern == 0 ? 0 : 1 << 23))
        let exponent = value.exponentBitPattern == 0 ? -149 : Int(value.exponentBitPattern) - 150
        return (2 * significand + 1, exponent - 1)
    }
}
