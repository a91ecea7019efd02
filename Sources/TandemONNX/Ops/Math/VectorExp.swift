/// float32 `exp` eight lanes at a time with SIMD arithmetic only, for Softmax and `VectorErf`.
///
/// Method: `k = round(y / ln 2)` by the 1.5 * 2^23 shifter (the rounded value also sits in the
/// shifted float's low mantissa bits, which give 2^k directly as an exponent field), Cody-Waite
/// reduction `r = y - k ln2` (|r| <= ln2/2), then the degree-7 Taylor polynomial of e^r.
/// Arguments are clamped to [-87.33, 88.3] (k in [-126, 127]); below -87.33 the result is 0
/// (the true value is below float's smallest normal, 1.2e-38). NaN stays NaN.
///
/// Error bound (float32 evaluation checked against double `exp` on 3,000,001 points of
/// [-87.3, 0] and in `ElementwiseFusionTests.vectorExpErrorBound`): relative error <= 1.1e-7
/// (under 2 ulp); glibc's `expf` is within 1 ulp. Every lane runs the same IEEE operations, so a
/// value's result does not depend on its position.
enum VectorExp {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func exp(_ x: V) -> V {
        var y = x.replacing(with: -87.33, where: x .< -87.33)
        y = y.replacing(with: 88.3, where: y .> 88.3)
        let shifted = y * 1.4426950408889634 + 12_582_912  // 1.5 * 2^23: rounds y / ln2 to an integer
        let k = shifted - 12_582_912
        var r = y - k * 0.693145751953125
        r = r - k * 1.428606765330187e-06
        var p = V(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // shifted's bit pattern is 0x4B40_0000 + k (k in [-126, 127]); (k + 127) << 23 is 2^k.
        // Lane-wise on the bit patterns (a bit cast between two 32-byte vectors of 32-bit lanes).
        let bits = unsafeBitCast(shifted, to: SIMD8<UInt32>.self)
        let scale = unsafeBitCast((bits &- 0x4B40_0000 &+ 127) &<< 23, to: V.self)
        return (p * scale).replacing(with: 0, where: x .< -87.33)
    }

    /// exp of one value, through the same lane arithmetic as the arrays.
    static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }

    /// exp of `values[range]`, in place.
    static func apply(_ values: inout MutableSpan<Float>, _ range: Range<Int>) {
        var i = range.lowerBound
        let n = range.upperBound
        guard i >= 0, n <= values.count else { return }
        while i + 8 <= n {
            // 0 <= i and i + 8 <= n <= values.count (checked above), so every lane index is in range;
            // unchecked, the eight loads and stores become one vector load and store each.
            var v = V()
            for l in 0..<8 { v[l] = unsafe values[unchecked: i &+ l] }
            let r = exp(v)
            for l in 0..<8 { unsafe values[unchecked: i &+ l] = r[l] }
            i += 8
        }
        if i < n {
            var v = V()
            for l in 0..<(n - i) { v[l] = values[i + l] }
            let r = exp(v)
            for l in 0..<(n - i) { values[i + l] = r[l] }
        }
    }
}
