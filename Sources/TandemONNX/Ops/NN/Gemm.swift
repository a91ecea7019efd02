/// `Gemm` (7, 9, 11, 13): `Y = alpha * A' x B' + beta * C` for 2-D A and B (transposed when
/// transA/transB), C broadcast to `[M, N]` (optional from 11). A constant B is transposed once at load.
struct GemmKernel: Kernel {
    let alpha: Double, beta: Double
    let transA: Bool, transB: Bool
    /// B already transposed to `[K, N]` when it is an initializer and transB is set.
    let pretransposedB: Tensor?

    static let schema = OperatorSchema(opType: "Gemm", domain: "", versions: [7, 9, 11, 13], inputs: 2...3, outputs: 1...1) { ctx throws(BuildError) in
        let types: Set<ElementType> = [.float, .double, .int64, .int32]
        for i in 0..<3 { try ctx.requireInput(i, oneOf: types) }
        if ctx.sinceVersion < 11 && (ctx.inputTypes.count < 3 || ctx.inputTypes[2] == nil) {
            throw BuildError(.invalidGraph, "Gemm-\(ctx.sinceVersion) requires input C (optional from version 11)")
        }
        func flag(_ name: String) throws(BuildError) -> Bool {
            let v = try ctx.attributes.int(name) ?? 0
            guard v == 0 || v == 1 else { throw BuildError(.invalidAttribute, "attribute '\(name)' must be 0 or 1, got \(v)") }
            return v == 1
        }
        let transA = try flag("transA"), transB = try flag("transB")
        for i in 0..<2 {
            if let r = ctx.inputShape(i)?.count, r != 2 { throw BuildError(.typeMismatch, "input \(i) must be 2-D, got \(ctx.inputTypes[i]?.text ?? "")") }
        }
        var shape: [Int?]? = nil
        if let a = ctx.inputShape(0), let b = ctx.inputShape(1), a.count == 2, b.count == 2 {
            let (m, k1) = transA ? (a[1], a[0]) : (a[0], a[1])
            let (k2, n) = transB ? (b[1], b[0]) : (b[0], b[1])
            if let k1, let k2, k1 != k2 { throw BuildError(.typeMismatch, "inner dimensions differ (\(k1) and \(k2))") }
            shape = [m, n]
        }
        var pre: Tensor? = nil
        if transB, let b = ctx.constantInputs[1], b.shape.count == 2 {
            let t = try? b.data.visitProduct(Transposer(rows: b.shape[0], columns: b.shape[1]))
            pre = t.map { Tensor(shape: [b.shape[1], b.shape[0]], data: $0) }
        }
        let kernel = GemmKernel(alpha: Double(try ctx.attributes.float("alpha") ?? 1), beta: Double(try ctx.attributes.float("beta") ?? 1),
                                transA: transA, transB: transB, pretransposedB: pre)
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let a = try Inputs.tensor(inputs, 0, "A"), b = try Inputs.tensor(inputs, 1, "B")
        let c = inputs.count > 2 && inputs[2] != nil ? try Inputs.tensor(inputs, 2, "C") : nil
        guard a.shape.count == 2, b.shape.count == 2 else { throw KernelError("A \(a.shape) and B \(b.shape) must be 2-D") }
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard k == k2 else { throw KernelError("inner dimensions differ: A \(a.shape)\(transA ? "'" : "") x B \(b.shape)\(transB ? "'" : "")") }
        _ = try Shapes.checkedCount([m, n])
        if let c, Broadcasting.shape(c.shape, [m, n]) != [m, n] {
            throw KernelError("C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
        }
        let job = GemmJob(kernel: self, b: b, c: c, m: m, k: k, n: n)
        return [.tensor(Tensor(shape: [m, n], data: try a.data.visitProduct(job, "A")))]
    }
}

/// Transposes a 2-D buffer of any `ProductScalar` type.
private struct Transposer: ProductVisitor {
    let rows: Int, columns: Int
    func visit<T: ProductScalar>(_ values: [T]) throws(KernelError) -> TensorData {
        T.wrap(MatrixProduct.transpose(values, rows: rows, columns: columns))
    }
}

/// One Gemm run, generic over the element type.
private struct GemmJob: ProductVisitor {
    let kernel: GemmKernel
    let b: Tensor
    let c: Tensor?
    let m: Int, k: Int, n: Int

    func visit<T: ProductScalar>(_ a: [T]) throws(KernelError) -> TensorData {
        let bData = kernel.transB ? (kernel.pretransposedB?.data ?? b.data) : b.data
        guard var y = T.unwrap(bData) else { throw KernelError("A and B must have the same element type") }
        if kernel.transB && kernel.pretransposedB == nil { y = MatrixProduct.transpose(y, rows: n, columns: k) }
        let x = kernel.transA ? MatrixProduct.transpose(a, rows: k, columns: m) : a
        // A dense layer (float, alpha = beta = 1, C one row of n biases): the product goes straight
        // into the bias rows, the same `product + c` per element as the general path below.
        if kernel.alpha == 1, kernel.beta == 1, let c, c.count == n, c.shape.last == n || (n == 1 && c.shape.allSatisfy { $0 == 1 }),
           c.shape.dropLast().allSatisfy({ $0 == 1 }),
           case .float(let xf) = T.wrap(x), case .float(let yf) = T.wrap(y), case .float(let cf) = c.data,
           let out = MatrixProduct.multiplyAddingRow(xf, yf, m, k, n, bias: cf), let r = T.unwrap(.float(out)) {
            return T.wrap(r)
        }
        var out = MatrixProduct.multiply(x, y, m, k, n)
        if kernel.alpha != 1 {
            let alpha = T(fromDouble: kernel.alpha)
            for i in out.indices { out[i] = T.product(out[i], alpha) }
        }
        if let c, kernel.beta != 0 {
            guard let cv = T.unwrap(c.data) else { throw KernelError("A and C must have the same element type") }
            let beta = T(fromDouble: kernel.beta)
            let scaled = kernel.beta == 1 ? cv : cv.map { T.product($0, beta) }
            // float: the same `out + c` as the generic loop, in Broadcasting's vectorised row/scalar loops.
            if case .float(let o) = T.wrap(out), case .float(let cf) = T.wrap(scaled),
               let fast = Broadcasting.floatFastPath(o, [m, n], cf, c.shape, [m, n], add: true), let r = T.unwrap(.float(fast)) {
                out = r
            } else {
                out = Broadcasting.apply(out, [m, n], scaled, c.shape, [m, n], T.sum)
            }
        }
        return T.wrap(out)
    }
}
