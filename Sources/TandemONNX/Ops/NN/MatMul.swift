/// `MatMul` (1, 9, 13): numpy matmul for a right operand of rank 1 or 2 (the left operand
/// may have any rank >= 1; leading dimensions are flattened into rows).
struct MatMulKernel: Kernel {
    static let schema = OperatorSchema(opType: "MatMul", domain: "", versions: [1, 9, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double])
        try ctx.requireInput(1, oneOf: [.float, .double])
        if let a = ctx.inputElement(0), let b = ctx.inputElement(1), a != b {
            throw BuildError(.typeMismatch, "inputs have different element types (\(a) and \(b))")
        }
        var shape: [Int?]? = nil
        if let a = ctx.inputShape(0), let b = ctx.inputShape(1), a.count >= 1, b.count >= 1, b.count <= 2 {
            let k1 = a.last ?? nil, k2 = b.count == 2 ? b[0] : b[0]
            if let k1, let k2, k1 != k2 {
                throw BuildError(.typeMismatch, "inner dimensions differ: \(ctx.inputTypes[0]?.text ?? "") x \(ctx.inputTypes[1]?.text ?? "")")
            }
            shape = Array(a.dropLast()) + (b.count == 2 ? [b[1]] : [])
        }
        return BuiltKernel(kernel: MatMulKernel(), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let a = try Inputs.tensor(inputs, 0, "A"), b = try Inputs.tensor(inputs, 1, "B")
        guard a.shape.count >= 1, b.shape.count >= 1, b.shape.count <= 2 else {
            throw KernelError("supports a right operand of rank 1 or 2, got shapes \(a.shape) x \(b.shape)")
        }
        let k = a.shape[a.shape.count - 1]
        let n = b.shape.count == 2 ? b.shape[1] : 1
        guard b.shape[0] == k else { throw KernelError("inner dimensions differ: \(a.shape) x \(b.shape)") }
        let m = k == 0 ? (Shapes.elementCount(Array(a.shape.dropLast())) ?? 0) : a.count / k
        var outShape = Array(a.shape.dropLast())
        if b.shape.count == 2 { outShape.append(n) }
        guard m.multipliedReportingOverflow(by: n).partialValue <= Shapes.maxElements, !m.multipliedReportingOverflow(by: n).overflow else {
            throw KernelError("output of \(a.shape) x \(b.shape) is too large")
        }
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)):
            return [.tensor(Tensor(shape: outShape, data: .float(Self.multiplyFloat(x, y, m, k, n))))]
        case (.double(let x), .double(let y)):
            return [.tensor(Tensor(shape: outShape, data: .double(Self.multiply(x, y, m, k, n))))]
        default:
            throw KernelError("expects two float or two double tensors, got tensor(\(a.elementType)) x tensor(\(b.elementType))")
        }
    }

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
