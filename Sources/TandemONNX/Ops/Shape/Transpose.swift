/// `Transpose` (1, 13, 21): permutes the axes by `perm` (default: reversed).
struct TransposeKernel: Kernel {
    let perm: [Int]?

    static let schema = OperatorSchema(opType: "Transpose", domain: "", versions: [1, 13, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let raw = try ctx.attributes.ints("perm")
        var perm: [Int]? = nil
        if let raw {
            let p = try ShapeOpSupport.buildAxes(raw, rank: raw.count, "perm")
            guard raw.allSatisfy({ $0 >= 0 }) else { throw BuildError(.invalidAttribute, "perm \(raw) must not be negative") }
            perm = p
        }
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            let p = perm ?? Array((0..<s.count).reversed())
            guard p.count == s.count else { throw BuildError(.invalidAttribute, "perm \(p) does not match input rank \(s.count)") }
            shape = p.map { s[$0] }
        }
        return BuiltKernel(kernel: TransposeKernel(perm: perm), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        let rank = t.shape.count
        let p = perm ?? Array((0..<rank).reversed())
        guard p.count == rank else { throw KernelError("perm \(p) does not match input shape \(t.shape)") }
        if p == Array(0..<rank) { return [.tensor(t)] }
        let strides = Shapes.strides(t.shape)
        let outShape = p.map { t.shape[$0] }
        let indices = try ShapeOpSupport.stridedIndices(shape: outShape, base: 0, steps: p.map { strides[$0] })
        return [.tensor(Tensor(shape: outShape, data: t.data.selecting(indices)))]
    }
}
