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
    static func multiply<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], _ m: Int, _ k: Int, _ n: Int) -> [T] {
        var out = [T](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    // Invariant: pa has m*k, pb k*n and po m*n elements (checked by the caller's shapes).
                    guard let A = pa.baseAddress, let B = pb.baseAddress, let O = po.baseAddress else { return }
                    for i in 0..<m {
                        let row = O + i * n
                        let arow = A + i * k
                        for p in 0..<k {
                            let av = arow[p]
                            let brow = B + p * n
                            for j in 0..<n { row[j] += av * brow[j] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Float32 `[m, k] x [k, n]` with a 4-row x 8-column register block (SIMD8 accumulators).
    /// Every output element is still summed over k in order, like the plain loop.
    static func multiplyFloat(_ a: [Float], _ b: [Float], _ m: Int, _ k: Int, _ n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        let fullColumns = n - n % 8
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    // Invariant: pa has m*k, pb k*n and po m*n elements; SIMD loads/stores read 8 floats at
                    // column j with j + 8 <= fullColumns <= n, and rows stay below m.
                    guard let A = pa.baseAddress, let B = pb.baseAddress, let O = po.baseAddress else { return }
                    let rawB = UnsafeRawPointer(B)
                    let rawO = UnsafeMutableRawPointer(O)
                    var i = 0
                    while i + 4 <= m {
                        let a0 = A + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k
                        var j = 0
                        while j < fullColumns {
                            var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>(), c3 = SIMD8<Float>()
                            var bOffset = j * 4
                            let bStride = n * 4
                            for p in 0..<k {
                                let bv = rawB.loadUnaligned(fromByteOffset: bOffset, as: SIMD8<Float>.self)
                                bOffset += bStride
                                c0 += a0[p] * bv
                                c1 += a1[p] * bv
                                c2 += a2[p] * bv
                                c3 += a3[p] * bv
                            }
                            rawO.storeBytes(of: c0, toByteOffset: (i * n + j) * 4, as: SIMD8<Float>.self)
                            rawO.storeBytes(of: c1, toByteOffset: ((i + 1) * n + j) * 4, as: SIMD8<Float>.self)
                            rawO.storeBytes(of: c2, toByteOffset: ((i + 2) * n + j) * 4, as: SIMD8<Float>.self)
                            rawO.storeBytes(of: c3, toByteOffset: ((i + 3) * n + j) * 4, as: SIMD8<Float>.self)
                            j += 8
                        }
                        i += 4
                    }
                    // Remainder rows (all columns) and remainder columns (block rows), plain loops.
                    for r in 0..<m {
                        let startColumn = r < i ? fullColumns : 0
                        if startColumn >= n { continue }
                        let arow = A + r * k
                        for c in startColumn..<n {
                            // Accumulate in a register (no store-to-load chain), still in k order.
                            var sum: Float = 0
                            for p in 0..<k { sum += arow[p] * B[p * n + c] }
                            O[r * n + c] = sum
                        }
                    }
                }
            }
        }
        return out
    }
}
