/// Correctly rounded `w * 10^q` in binary floating point, by the Eisel-Lemire method (Lemire, "Number Parsing at
/// a Gigabyte per Second", 2021; Mushtak and Lemire, "Fast Number Parsing Without Fallback", 2023): one or two
/// 64x64-bit products against a 128-bit approximation of `5^q` give the leading bits of the result, and whether
/// they are exact enough to round.
///
/// `compute` answers the biased exponent and the explicit mantissa bits, or nil in the cases it cannot decide,
/// which the caller sends to an exact parser. With an exact `w` (19 digits or fewer) it always decides (the
/// Mushtak-Lemire bound); the one cheap extra check below (from the original method) is kept as a guard anyway.
enum EiselLemire {
    /// The parameters of one IEEE binary format.
    struct Format {
        /// Explicit mantissa bits: 52 for Double, 23 for Float.
        var mantissaBits: Int
        /// Minus the exponent bias, less one: -1023 for Double, -127 for Float.
        var minimumExponent: Int
        /// The biased exponent of infinity: 0x7FF or 0xFF.
        var infinitePower: Int
        /// Below `10^smallestPowerOfTen` every 19-digit decimal rounds to zero.
        var smallestPowerOfTen: Int
        /// Above `10^largestPowerOfTen` every nonzero decimal rounds to infinity.
        var largestPowerOfTen: Int
        /// The exponents where a product can be exactly halfway between two floats (round to even applies).
        var minRoundToEven: Int
        var maxRoundToEven: Int

        static let double = Format(
            mantissaBits: 52, minimumExponent: -1023, infinitePower: 0x7FF, smallestPowerOfTen: -342,
            largestPowerOfTen: 308, minRoundToEven: -4, maxRoundToEven: 23)
        static let float = Format(
            mantissaBits: 23, minimumExponent: -127, infinitePower: 0xFF, smallestPowerOfTen: -65,
            largestPowerOfTen: 38, minRoundToEven: -17, maxRoundToEven: 10)
    }

    /// The smallest `q` the table holds.
    static let tableOffset = 342

    /// The biased binary exponent and the explicit mantissa bits of the value nearest `w * 10^q` (ties to even),
    /// or nil when the approximation cannot decide.
    static func compute(q: Int, w: UInt64, format f: Format) -> (mantissa: UInt64, power2: Int)? {
        if w == 0 || q < f.smallestPowerOfTen { return (0, 0) }
        if q > f.largestPowerOfTen { return (0, f.infinitePower) }
        let lz = w.leadingZeroBitCount
        let normalized = w << UInt64(lz)
        let index = 2 * (q + tableOffset)
        let table = powersOfFive
        var (high, low) = normalized.multipliedFullWidth(by: table[index])
        // Only the top mantissaBits + 3 bits matter; when all the bits below them are ones, a carry from the
        // low half of the 128-bit power could still change them, so the second product is added in.
        let precisionMask = UInt64.max >> UInt64(f.mantissaBits + 3)
        if high & precisionMask == precisionMask {
            let second = normalized.multipliedFullWidth(by: table[index + 1]).high
            let (sum, carry) = low.addingReportingOverflow(second)
            low = sum
            if carry { high &+= 1 }
        }
        // The original method's guard: outside the exponents where 5^q is exact in 128 bits, an all-ones
        // low word might hide a carry. Mushtak and Lemire proved it never matters; the exact parser is cheap here.
        if low == UInt64.max && !(q >= -27 && q <= 55) { return nil }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 64 - f.mantissaBits - 3)
        var mantissa = high >> shift
        var power2 = power(q) + upperBit - lz - f.minimumExponent
        if power2 <= 0 {
            // Subnormal (or zero): shift into place, round half up on the extra bit (no halfway cases reach here).
            if -power2 + 1 >= 64 { return (0, 0) }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (UInt64(1) << UInt64(f.mantissaBits)) ? 0 : 1
            return (mantissa, power2)
        }
        // Exactly halfway between two floats (possible only for small |q|): round to even, not up.
        if low <= 1 && q >= f.minRoundToEven && q <= f.maxRoundToEven && mantissa & 3 == 1
            && (mantissa << shift) == high
        {
            mantissa &= ~UInt64(1)
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (UInt64(2) << UInt64(f.mantissaBits)) {
            mantissa = UInt64(1) << UInt64(f.mantissaBits)
            power2 += 1
        }
        mantissa &= ~(UInt64(1) << UInt64(f.mantissaBits))
        if power2 >= f.infinitePower { return (0, f.infinitePower) }
        return (mantissa, power2)
    }

    /// floor(log2(10^q)) + 63, by a fixed-point multiply exact for |q| < 1,700 (arithmetic shift: floor).
    private static func power(_ q: Int) -> Int {
        (((152_170 + 65_536) * q) >> 16) + 63
    }
}
