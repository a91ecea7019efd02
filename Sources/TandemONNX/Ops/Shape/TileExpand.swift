/// `Tile` (6, 13): repeats the input `repeats[d]` times along each axis.
struct TileKernel: Kernel {
    static let schema = OperatorSchema(opType: "Tile", domain: "", versions: [6, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            shape = Array(repeating: nil, count: s.count)
            if let r = ShapeOpSupport.constantInts(ctx, 1) {
                guard r.count == s.count else { throw BuildError(.invalidAttribute, "repeats \(r) must have one entry per input axis (\(s.count))") }
                shape = zip(s, r).map { d, k in k >= 0 ? ShapeOpSupport.product([d, Int(k)]) : nil }
            }
        }
        return BuiltKernel(kernel: TileKernel(), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        let repeats = try ShapeOpSupport.ints(inputs, 1, "repeats")
        guard repeats.count == t.shape.count else {
            throw KernelError("repeats \(repeats) must have one entry per axis of shape \(t.shape)")
        }
        var outShape: [Int] = []
        for (d, r) in zip(t.shape, repeats) {
            let k = try ShapeOpSupport.dimension(r, "repeats \(repeats)")
            let (p, overflow) = d.multipliedReportingOverflow(by: k)
            guard !overflow else { throw KernelError("repeats \(repeats) overflow shape \(t.shape)") }
            outShape.append(p)
        }
        _ = try Shapes.checkedCount(outShape)
        let strides = Shapes.strides(t.shape)
        let tables = (0..<t.shape.count).map { d in (0..<outShape[d]).map { ($0 % t.shape[d]) * strides[d] } }
        let indices = try ShapeOpSupport.tabulatedIndices(tables)
        return [.tensor(Tensor(shape: outShape, data: t.data.selecting(indices)))]
    }
}

/// `Expand` (8, 13): broadcasts the input to the numpy-broadcast of its shape and the `shape` input.
struct ExpandKernel: Kernel {
    static let schema = OperatorSchema(opType: "Expand", domain: "", versions: [8, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        var shape: [Int?]? = nil
        if let target = ShapeOpSupport.constantInts(ctx, 1) {
            let t: [Int?] = target.map { Int($0) }
            shape = Broadcasting.shape(ctx.inputShape(0), t)
            if shape == nil, ctx.inputShape(0) != nil {
                throw BuildError(.invalidAttribute, "shape \(target) does not broadcast with the input")
            }
        }
        return BuiltKernel(kernel: ExpandKernel(), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        let raw = try ShapeOpSupport.ints(inputs, 1, "shape")
        var target: [Int] = []
        for d in raw { target.append(try ShapeOpSupport.dimension(d, "shape \(raw)")) }
        guard let outShape = Broadcasting.shape(t.shape, target) else {
            throw KernelError("input shape \(t.shape) does not broadcast to \(raw)")
        }
        if outShape == t.shape { return [.tensor(t)] }
        let lead = outShape.count - t.shape.count
        let strides = Shapes.strides(t.shape)
        var steps = [Int](repeating: 0, count: outShape.count)
        for d in 0..<t.shape.count where t.shape[d] != 1 { steps[d + lead] = strides[d] }
        let indices = try ShapeOpSupport.stridedIndices(shape: outShape, base: 0, steps: steps)
        return [.tensor(Tensor(shape: outShape, data: t.data.selecting(indices)))]
    }
}
