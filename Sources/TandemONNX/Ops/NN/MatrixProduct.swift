import TandemBLAS

/// Row-major matrix products shared by MatMul, Gemm and Conv: picks the fastest routine for the
/// element type and size (OpenBLAS for large float and double products, the SIMD-blocked float
/// loop for small ones, the plain loop for the integer types).
enum MatrixProduct {
    /// Products with at least this many multiply-adds (`m * k * n`) go to BLAS; below it the call
    /// overhead outweighs BLAS's speed (measured on digits-mlp, docs/performance-runtime.md).
    static let blasThreshold = 1 << 14

    /// `[m, k] x [k, n]` for arrays holding exactly `m * k` and `k * n` elements.
    static func multiply<T: ProductScalar>(_ a: [T], _ b: [T], _ m: Int, _ k: Int, _ n: Int) -> [T] {
        let large = m.multipliedReportingOverflow(by: k).partialValue.multipliedReportingOverflow(by: n).partialValue >= blasThreshold
        switch (T.wrap(a), T.wrap(b)) {
        case (.float(let x), .float(let y)):
            if large, let r = BLAS.sgemm(x, y, m: m, k: k, n: n).flatMap({ T.unwrap(.float($0)) }) { return r }
            if let r = T.unwrap(.float(MatMulKernel.multiplyFloat(x, y, m, k, n))) { return r }
        case (.double(let x), .double(let y)):
            if large, let r = BLAS.dgemm(x, y, m: m, k: k, n: n).flatMap({ T.unwrap(.double($0)) }) { return r }
            if let r = T.unwrap(.double(MatMulKernel.multiply(x, y, m, k, n))) { return r }
        default:
            break
        }
        return plain(a, b, m, k, n)
    }

    /// `[m, k] x [k, n]` plus `bias` (`n` values) added to every row: a dense layer in one output
    /// buffer. Large products write the bias rows first and let BLAS add the product into them
    /// (beta = 1), which saves the zeroing pass and the separate bias pass; the sum per element is
    /// the same `product + bias` as multiplying first and adding after (BLAS adds its finished
    /// dot product to the stored value), so the result equals the unfused Gemm/MatMul then Add.
    /// `nil` when the sizes do not match (the caller runs its nodes one by one instead).
    static func multiplyAddingRow(_ a: [Float], _ b: [Float], _ m: Int, _ k: Int, _ n: Int, bias: [Float]) -> [Float]? {
        guard n > 0, bias.count == n, a.count == m &* k, b.count == k &* n else { return nil }
        let large = m.multipliedReportingOverflow(by: k).partialValue.multipliedReportingOverflow(by: n).partialValue >= blasThreshold
        if large && k > 0 {
            var out: [Float] = []
            out.reserveCapacity(m * n)
            for _ in 0..<m { out.append(contentsOf: bias) }
            if BLAS.sgemm(a, b, m: m, k: k, n: n, addingTo: &out) { return out }
        }
        var out = multiply(a, b, m, k, n)
        guard out.count == m &* n else { return nil }
        var o = out.mutableSpan
        let B = bias.span
        var base = 0
        while base + n <= o.count {
            for j in 0..<n { o[base + j] += B[j] }
            base += n
        }
        return out
    }

    /// The reference loop for any `ProductScalar` (integers wrap), accumulating each output row along k.
    static func plain<T: ProductScalar>(_ a: [T], _ b: [T], _ m: Int, _ k: Int, _ n: Int) -> [T] {
        var out = [T](repeating: .zero, count: m * n)
        let A = a.span, B = b.span
        var O = out.mutableSpan
        for i in 0..<m {
            let row = i * n
            for p in 0..<k {
                let av = A[i * k + p]
                let brow = p * n
                for j in 0..<n { O[row + j] = T.sum(O[row + j], T.product(av, B[brow + j])) }
            }
        }
        return out
    }

    /// The `[rows, columns]` matrix `values` transposed to `[columns, rows]`.
    static func transpose<T>(_ values: [T], rows: Int, columns: Int) -> [T] {
        guard rows > 1, columns > 1 else { return values }
        var out = values
        var O = out.mutableSpan
        let V = values.span
        for r in 0..<rows {
            for c in 0..<columns { O[c * rows + r] = V[r * columns + c] }
        }
        return out
    }
}
