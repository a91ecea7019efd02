import Testing

@testable import TandemServing

/// The CSV fast path must give exactly the Float that `Float(String)` (strtof) gives, or defer to it.
@Suite struct DecimalFloatTests {
    private func parse(_ text: String) -> Float? {
        let bytes = Array(text.utf8)
        return DecimalFloat.parse(bytes, 0..<bytes.count)
    }

    @Test func plainDecimalsMatchStrtofBitForBit() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<200_000 {
            let integerDigits = Int.random(in: 0...7, using: &generator)
            let fractionDigits = Int.random(in: 0...10, using: &generator)
            var text = Bool.random(using: &generator) ? "-" : ""
            text += integerDigits == 0 ? "0" : String((0..<integerDigits).map { _ in "0123456789".randomElement(using: &generator)! })
            if fractionDigits > 0 {
                text += "." + String((0..<fractionDigits).map { _ in "0123456789".randomElement(using: &generator)! })
            }
            guard let fast = parse(text) else { continue }
            let reference = Float(text)
            #expect(fast.bitPattern == reference?.bitPattern, "\(text): \(fast) vs \(String(describing: reference))")
            checked += 1
        }
        #expect(checked > 50_000)
    }

    @Test func zooStyleCells() {
        for text in ["13.4", "0.1106", "556.7", "-0.07325", "0", "-0", "25.38", "2019", "0.006399", "1001", ".5", "5."] {
            #expect(parse(text)?.bitPattern == Float(text)?.bitPattern, "\(text)")
        }
    }

    @Test func defersWhatItCannotDoExactly() {
        for text in ["1e+06", "nan", "inf", "+1", "12345678", "0.12345678901", "1.2.3", "", "-", "1,5", " 1"] {
            #expect(parse(text) == nil, "\(text)")
        }
    }
}
