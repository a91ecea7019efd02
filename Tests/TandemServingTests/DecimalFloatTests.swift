import Testing
import TandemJSON

@testable import TandemServing

/// CSV float and double cells are parsed by `DecimalNumber` straight from the body; it must accept exactly the
/// strings `StrictNumber` classifies as numbers, and give exactly what `Float(String)` / `Double(String)` give.
@Suite struct DecimalFloatTests {
    @Test func parserAcceptsExactlyTheStrictNumberGrammar() {
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.+-eE nNaAiIfx".utf8)
        for _ in 0..<300_000 {
            let bytes = (0..<Int.random(in: 0...8, using: &g)).map { _ in alphabet.randomElement(using: &g) ?? 0x30 }
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = DecimalNumber.parseFloat(bytes, 0..<bytes.count)
            let isNumber = StrictNumber.classify(bytes, 0..<bytes.count) == .number
            #expect((parsed != nil) == isNumber, "\(text)")
            if let parsed { #expect(parsed.bitPattern == Float(text)?.bitPattern, "\(text)") }
            let parsedDouble = DecimalNumber.parseDouble(bytes, 0..<bytes.count)
            #expect((parsedDouble != nil) == isNumber, "\(text)")
            if let parsedDouble { #expect(parsedDouble.bitPattern == Double(text)?.bitPattern, "\(text)") }
        }
    }

    @Test func plainDecimalsMatchStrtofBitForBit() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let integerDigits = Int.random(in: 0...9, using: &g)
            let fractionDigits = Int.random(in: 0...12, using: &g)
            var text = Bool.random(using: &g) ? "-" : ""
            text += integerDigits == 0 ? "0" : String((0..<integerDigits).map { _ in "0123456789".randomElement(using: &g) ?? "0" })
            if fractionDigits > 0 {
                text += "." + String((0..<fractionDigits).map { _ in "0123456789".randomElement(using: &g) ?? "0" })
            }
            let bytes = Array(text.utf8)
            #expect(DecimalNumber.parseFloat(bytes, 0..<bytes.count)?.bitPattern == Float(text)?.bitPattern, "\(text)")
        }
    }

    @Test func zooStyleCells() {
        for text in ["13.4", "0.1106", "556.7", "-0.07325", "0", "-0", "25.38", "2019", "0.006399", "1001", ".5", "5.", "1e+06", "+1", "12345678", "0.12345678901"] {
            let bytes = Array(text.utf8)
            #expect(DecimalNumber.parseFloat(bytes, 0..<bytes.count)?.bitPattern == Float(text)?.bitPattern, "\(text)")
        }
    }
}
