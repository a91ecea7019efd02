/// The float and double product loops behind `MatMulKernel` (also the reference the tests compare
/// the blocked loop with).
extension MatMulKernel {
    /// Row-major `[m, k] x [k, n]`, accumulating each output row along k (vectorisable inner loop over n).
    /// Sizes: a has m*k, b k*n and out m*n elements (checked by the caller's shapes); spans check it anyway.
    static func multiply<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], _ m: Int, _ k: Int, _ n: Int) -> [T] {
        var out = [T](repeating: 0, count: m * n)
        let A = a.span, B = b.span
        var O = out.mutableSpan
        for i in 0..<m {
            let row = i * n
            for p in 0..<k {
                let av = A[i * k + p]
                let brow = p * n
                for j in 0..<n { O[row + j] += av * B[brow + j] }
            }
        }
        return out
    }

    /// Float32 `[m, k] x [k, n]` with a 4-row x 8-column register block (SIMD8 accumulators).
    /// Every output element is still summed over k in order, like the plain loop.
    ///
    /// Safe Swift throughout: B's first `fullColumns` columns are repacked once into `SIMD8` panels
    /// and each 4-row block of A into `SIMD4` columns, so the inner loop does two bounds-checked
    /// vector reads per step instead of unaligned raw-pointer loads.
    static func multiplyFloat(_ a: [Float], _ b: [Float], _ m: Int, _ k: Int, _ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        let fullColumns = n - n % 8
        let panels = fullColumns / 8
        let blockRows = m - m % 4
        let A = a.span, B = b.span
        var O = out.mutableSpan
        if blockRows > 0 && panels > 0 {
            // packedB[p * panels + q] = B[p, 8q ..< 8q+8]
            var packedB = [SIMD8<Float>](repeating: SIMD8(), count: k * panels)
            do {
                var pb = packedB.mutableSpan
                for p in 0..<k {
                    for q in 0..<panels {
                        let o = p * n + q * 8
                        pb[p * panels + q] = SIMD8(B[o], B[o + 1], B[o + 2], B[o + 3], B[o + 4], B[o + 5], B[o + 6], B[o + 7])
                    }
                }
            }
            let PB = packedB.span
            var packedA = [SIMD4<Float>](repeating: SIMD4(), count: k)
            var i = 0
            while i < blockRows {
                do {
                    var pa = packedA.mutableSpan
                    for p in 0..<k {
                        let o = i * k + p
                        pa[p] = SIMD4(A[o], A[o + k], A[o + 2 * k], A[o + 3 * k])
                    }
                }
                let PA = packedA.span
                for q in 0..<panels {
                    var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                    var bIndex = q
                    for p in 0..<k {
                        let bv = PB[bIndex]
                        let av = PA[p]
                        bIndex += panels
                        c0 += av[0] * bv
                        c1 += av[1] * bv
                        c2 += av[2] * bv
                        c3 += av[3] * bv
                    }
                    let o = i * n + q * 8
                    for l in 0..<8 {
                        O[o + l] = c0[l]
                        O[o + n + l] = c1[l]
                        O[o + 2 * n + l] = c2[l]
                        O[o + 3 * n + l] = c3[l]
                    }
                }
                i += 4
            }
        }
        // Remainder rows (all columns) and remainder columns (block rows), plain loops.
        let blockedColumns = panels > 0 ? fullColumns : 0
        for r in 0..<m {
            let startColumn = r < blockRows ? blockedColumns : 0
            if startColumn >= n { continue }
            let arow = r * k
            for c in startColumn..<n {
                // Accumulate in a register (no store-to-load chain), still in k order.
                var sum: Float = 0
                for p in 0..<k { sum += A[arow + p] * B[p * n + c] }
                O[r * n + c] = sum
            }
        }
        return out
    }
}
