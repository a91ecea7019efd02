import Testing

@testable import TandemJSON

/// Numbers written into the buffer must be the bytes `description` gives, always (the response bodies did not
/// change when the writer stopped building Strings).
@Suite struct DecimalTextTests {
    private func text(_ value: Float) -> String {
        var out: [UInt8] = []
        DecimalText.append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func text(_ value: Double) -> String {
        var out: [UInt8] = []
        DecimalText.append(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func randomFloatsAndDoublesMatchDescription() {
        var g = SystemRandomNumberGenerator()
        var mismatches = 0
        for _ in 0..<250_000 {
            let f = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &g))
            let d = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g))
            if f.isFinite, text(f) != f.description { mismatches += 1 }
            if d.isFinite, text(d) != d.description { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func probabilitiesAndIntegralValuesMatchDescription() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let p = Float.random(in: 0...1, using: &g)
            #expect(text(p) == p.description)
            let i = Float(Int.random(in: -20_000_000...20_000_000, using: &g))
            #expect(text(i) == i.description)
            let di = Double(Int64.random(in: -(1 << 54)...(1 << 54), using: &g))
            #expect(text(di) == di.description)
        }
    }

    @Test func edgeValuesMatchDescription() {
        let floats: [Float] = [
            0, -0.0, 1, -1, 0.1, 0.5, 1e-4, 1e-5, 9.999e-5, 16_777_215, 16_777_216, 16_777_218, 1e7, 1e8, 8_388_608,
            .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            Float(bitPattern: 0x007F_FFFF), 3.4028235e38, 0.3, 2.0 / 3.0, 123_456.79,
        ]
        for f in floats { #expect(text(f) == f.description, "\(f)") }
        let doubles: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.2 + 0.1, 1e-4, 1e-5, 1e15, 1e16, 9_007_199_254_740_991, 9_007_199_254_740_992,
            9_007_199_254_740_994, 1e22, 1e23, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, Double(bitPattern: 1), Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), 123_456_789.123,
        ]
        for d in doubles { #expect(text(d) == d.description, "\(d)") }
    }

    /// Every Float in long runs of consecutive bit patterns around the binade edges of the fixed-point range
    /// and through the probabilities (the fast path's domain), against description.
    @Test func consecutiveFloatsInTheFixedPointRangeMatchDescription() {
        var starts: [UInt32] = []
        for exponent in 114...150 { starts.append(UInt32(exponent) << 23 &- 20_000) }  // 2^-13 ... 2^24
        starts += [Float(0.5).bitPattern, Float(0.1).bitPattern, Float(0.9).bitPattern, Float(1e-3).bitPattern, Float(123.456).bitPattern]
        var mismatches = 0
        for start in starts {
            for bits in start..<(start + 40_000) {
                let f = Float(bitPattern: bits)
                if text(f) != f.description {
                    mismatches += 1
                    if mismatches < 10 { Issue.record("\(bits): \(text(f)) vs \(f.description)") }
                }
                if text(-f) != (-f).description { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func integers() {
        for value: Int64 in [0, 1, -1, 9, 10, -10, 99, 100, 12_345, .max, .min, 1_000_000_007] {
            var out: [UInt8] = []
            DecimalText.append(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(value))
        }
        var out: [UInt8] = []
        DecimalText.appendDigits(.max, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(UInt64.max))
    }
}
