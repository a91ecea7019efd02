import Testing

@testable import TandemJSON

/// `DecimalNumber` must give exactly the value the standard library's correctly rounded parsers give,
/// `Double(String)` and `Float(String)`, for every string of its grammar.
@Suite struct DecimalNumberTests {
    private func double(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return DecimalNumber.parseDouble(bytes, 0..<bytes.count)
    }

    private func float(_ text: String) -> Float? {
        let bytes = Array(text.utf8)
        return DecimalNumber.parseFloat(bytes, 0..<bytes.count)
    }

    private func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let d = double(text), f = float(text)
        #expect(d?.bitPattern == Double(text)?.bitPattern, "Double \(text): \(String(describing: d)) vs \(String(describing: Double(text)))", sourceLocation: sourceLocation)
        #expect(f?.bitPattern == Float(text)?.bitPattern, "Float \(text): \(String(describing: f)) vs \(String(describing: Float(text)))", sourceLocation: sourceLocation)
    }

    private static func digits(_ count: Int, _ g: inout some RandomNumberGenerator) -> String {
        String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &g))) })
    }

    /// A random number of the grammar: sign, 0-25 integer digits, an optional fraction, an optional exponent
    /// anywhere from far below the subnormals to far above the largest finite values.
    private static func randomNumber(_ g: inout some RandomNumberGenerator) -> String {
        var text = ["", "-", "+"].randomElement(using: &g) ?? ""
        let integerDigits = Int.random(in: 0...25, using: &g)
        let fractionDigits = Int.random(in: integerDigits == 0 ? 1...25 : 0...25, using: &g)
        text += digits(integerDigits, &g)
        if fractionDigits > 0 || Bool.random(using: &g) { text += "." + digits(fractionDigits, &g) }
        if Int.random(in: 0..<3, using: &g) > 0 {
            text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &g) ?? "e"
            text += String(Int.random(in: 0...360, using: &g))
        }
        return text
    }

    @Test func millionsOfRandomDecimalsMatchTheStandardLibrary() {
        var g = SystemRandomNumberGenerator()
        var mismatches = 0
        for _ in 0..<250_000 {
            let text = Self.randomNumber(&g)
            let bytes = Array(text.utf8)
            let d = DecimalNumber.parseDouble(bytes, 0..<bytes.count)
            let f = DecimalNumber.parseFloat(bytes, 0..<bytes.count)
            if d?.bitPattern != Double(text)?.bitPattern || f?.bitPattern != Float(text)?.bitPattern {
                mismatches += 1
                if mismatches < 10 { Issue.record("\(text): \(String(describing: d)) \(String(describing: f))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func shortestSpellingsOfRandomValuesReadBack() {
        // Every bit pattern's description (shortest round trip) and a 17/9-digit spelling of it.
        var g = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g))
            let f = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &g))
            guard d.isFinite, f.isFinite else { continue }
            #expect(double(d.description)?.bitPattern == d.bitPattern, "\(d)")
            #expect(float(f.description)?.bitPattern == f.bitPattern, "\(f)")
            expectSame(d.description)
            expectSame(f.description)
        }
    }

    @Test func halfwayCasesRoundToEven() {
        var g = SystemRandomNumberGenerator()
        for round in 0..<1_200 {
            // Doubles: normal and subnormal, near 1 (where halfway integers live) and across the range.
            let bits: UInt64 = switch round % 3 {
            case 0: UInt64.random(in: 1..<(1 << 52), using: &g)  // subnormal
            case 1: UInt64.random(in: 0x4330_0000_0000_0000..<0x4350_0000_0000_0000, using: &g)  // 2^52...2^54
            default: UInt64.random(in: 1..<0x7FE0_0000_0000_0000, using: &g)
            }
            let d = Double(bitPattern: bits)
            let (m, e) = ExactDecimal.midpointAbove(d)
            let exact = ExactDecimal.text(m, timesTwoToThe: e)
            expectSame(exact)
            // Just above the midpoint: one more nonzero digit far down (a truncated, 19+ digit input).
            expectSame(exact.contains(".") ? exact + "000000000000000000001" : exact + ".000000000000000000001")
            let fbits = UInt32.random(in: 1..<0x7F00_0000, using: &g)
            let (fm, fe) = ExactDecimal.midpointAbove(Float(bitPattern: fbits))
            let fexact = ExactDecimal.text(fm, timesTwoToThe: fe)
            expectSame(fexact)
            expectSame(fexact.contains(".") ? fexact + "0000000000000000000000001" : fexact + ".0000000000000000000000001")
        }
        // Integers halfway between doubles: 2^53 + 1 rounds down to even, 2^53 + 3 up.
        #expect(double("9007199254740993") == 9_007_199_254_740_992)
        #expect(double("9007199254740995") == 9_007_199_254_740_996)
        #expect(float("16777217") == 16_777_216)
        #expect(float("16777219") == 16_777_220)
    }

    @Test func longMantissasAndNineteenDigitInputs() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let text = Self.digits(Int.random(in: 17...60, using: &g), &g) + "e" + String(Int.random(in: -400...330, using: &g))
            expectSame(text)
            let fraction = "0." + Self.digits(Int.random(in: 19...40, using: &g), &g)
            expectSame(fraction)
        }
        for text in [
            "9999999999999999999", "18446744073709551615", "18446744073709551616", "10000000000000000000",
            "1000000000000000000000000000000000000000000001", "0.10000000000000000000000000000000000001",
            "2.2250738585072011e-308", "2.2250738585072012e-308", "2.225073858507201136057409796709131975934819546351645648e-308",
            "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
            "1.7976931348623158e308", "1.7976931348623159e308", "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910943564990",
            "1.4e-45", "7.0064923216240854e-46", "7.006492321624086e-46", "3.4028235e38", "3.4028236e38", "3.40282357e38",
            "1.17549435e-38", "0.000000000000000000000000000000000000000000000001401298464324817070923729583289916131280",
        ] {
            expectSame(text)
        }
    }

    @Test func exponentsOutOfRange() {
        for text in [
            "1e400", "-1e400", "1e39", "1e-400", "-1e-400", "1e-46", "1e-50", "1e-320", "0e999999999999",
            "1e99999999999999999999999", "1e-99999999999999999999999", "0.0000000000000000000001e-330",
            "100000000000000000000000000e-350", "123456789e-360", "1e308", "1e309", "1e38", "3e38", "4e38",
        ] {
            expectSame(text)
        }
        #expect(double("1e400") == .infinity)
        #expect(float("1e39") == .infinity)
        #expect(double("-1e-400")?.bitPattern == (-0.0 as Double).bitPattern)
    }

    @Test func zerosAndSigns() {
        for text in ["0", "-0", "+0", "0.0", "-0.0", ".0", "0.", "-.0", "000", "0e5", "-0e-5", "00000.00000e100"] {
            expectSame(text)
        }
        #expect(double("-0")?.sign == .minus)
        #expect(float("-0")?.sign == .minus)
    }

    @Test func theGrammarIsStrict() {
        for text in [
            "", "-", "+", ".", "e5", ".e5", "1e", "1e+", "1e-", "--1", "+-1", "1..2", "1.2.3", "nan", "NaN", "inf",
            "-inf", "infinity", "0x1p3", "1 ", " 1", "1,5", "1_000", "1e5.5", "1\u{0}", "١", "1f", "1d",
        ] {
            #expect(double(text) == nil, "\(text)")
            #expect(float(text) == nil, "\(text)")
        }
        for text in ["1", "+1", "-1", ".5", "5.", "-.5", "+5.", "1e5", "1E5", "1e+5", "1e-5", "1.5e0"] {
            #expect(double(text) != nil, "\(text)")
        }
    }

    @Test func parsesASliceOfALargerBuffer() {
        let bytes = Array("17.99,10.38,122.8".utf8)
        #expect(DecimalNumber.parseFloat(bytes, 6..<11) == Float("10.38"))
        #expect(DecimalNumber.parseDouble(bytes, 12..<17) == 122.8)
        #expect(DecimalNumber.parseDouble(bytes, 0..<6) == nil)  // "17.99,"
    }
}
