/// `LpNormalization` (1, 22): `x / ||x||_p` along `axis` (default -1) for p 1 or 2 (default 2);
/// a zero norm gives 0.
struct LpNormalizationKernel: Kernel {
    let axis: Int
    let p: Int

    static let schema = OperatorSchema(opType: "LpNormalization", domain: "", versions: [1, 22], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.floating)
        let p = try ctx.attributes.int("p") ?? 2
        guard p == 1 || p == 2 else { throw BuildError(.invalidAttribute, "attribute 'p' must be 1 or 2, got \(p)") }
        let axis = Int(try ctx.attributes.int("axis") ?? -1)
        if let rank = ctx.inputShape(0)?.count, Shapes.normalizedAxis(axis, rank: rank) == nil {
            throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(rank)")
        }
        return BuiltKernel(kernel: LpNormalizationKernel(axis: axis, p: Int(p)), outputTypes: [ctx.inputTypes[0] ?? .unknown])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        guard let a = Shapes.normalizedAxis(axis, rank: x.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(x.shape)")
        }
        let job = Job(outer: x.shape[..<a].reduce(1, *), length: x.shape[a], inner: x.shape[(a + 1)...].reduce(1, *), p: p)
        return [.tensor(Tensor(shape: x.shape, data: try x.data.visitFloating(job)))]
    }

    private struct Job: FloatingVisitor {
        let outer: Int, length: Int, inner: Int, p: Int

        func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> TensorData {
            var out = x
            var O = out.mutableSpan
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * length * inner + i
                    var norm: T = 0
                    for j in 0..<length {
                        let v = O[base + j * inner]
                        norm += p == 1 ? abs(v) : v * v
                    }
                    if p == 2 { norm = norm.squareRoot() }
                    for j in 0..<length { O[base + j * inner] = norm == 0 ? 0 : O[base + j * inner] / norm }
                }
            }
            return T.wrap(out)
        }
    }
}
