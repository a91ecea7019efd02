/// `OneHot` (9, 11): for each index, a vector of `depth` entries set to `values[0]` (off) except
/// `values[1]` (on) at the index, inserted as a new axis at `axis` (default -1). Negative
/// indices count from `depth`; out-of-range indices give an all-off vector.
struct OneHotKernel: Kernel {
    let axis: Int

    static let schema = OperatorSchema(opType: "OneHot", domain: "", versions: [9, 11], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.numbers)
        try ctx.requireInput(1, oneOf: ElementType.numbers)
        let axis = Int(try ctx.attributes.int("axis") ?? -1)
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            let rank = s.count + 1
            guard let a = Shapes.normalizedAxis(axis, rank: rank) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for output rank \(rank)")
            }
            var depth: Int? = nil
            if let d = ctx.constantInputs[1]?.data.doubles?.first, d >= 1, d <= Double(Int32.max) { depth = Int(d) }
            var out = s
            out.insert(depth, at: a)
            shape = out
        }
        return BuiltKernel(kernel: OneHotKernel(axis: axis), outputTypes: [.tensor(ctx.inputElement(2), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let idx = try Inputs.tensor(inputs, 0, "indices")
        let depthTensor = try Inputs.tensor(inputs, 1, "depth")
        let values = try Inputs.tensor(inputs, 2, "values")
        guard let indices = idx.data.doubles, idx.elementType != .bool else { throw KernelError("indices must be numeric, got tensor(\(idx.elementType))") }
        guard depthTensor.count == 1, let d = depthTensor.data.doubles?.first, d.isFinite else {
            throw KernelError("depth must be one number")
        }
        guard d >= 1, d <= Double(Int32.max) else { throw KernelError("depth \(d) must be at least 1") }
        let depth = Int(d)
        guard values.count == 2 else { throw KernelError("values must hold exactly two elements [off, on], got \(values.count)") }
        let rank = idx.shape.count + 1
        guard let a = Shapes.normalizedAxis(axis, rank: rank) else { throw KernelError("axis \(axis) is out of range for output rank \(rank)") }
        var outShape = idx.shape
        outShape.insert(depth, at: a)
        let count = try Shapes.checkedCount(outShape)
        let outer = idx.shape[..<a].reduce(1, *), inner = idx.shape[a...].reduce(1, *)
        // 0 selects `off`, 1 selects `on`.
        var picks = [Int](repeating: 0, count: count)
        for o in 0..<outer {
            for i in 0..<inner {
                // As onnxruntime compares, an index selects position k only when it equals k exactly.
                let raw = indices[o * inner + i]
                guard raw.isFinite, raw.rounded(.towardZero) == raw, abs(raw) < Double(Int32.max) else { continue }
                var k = Int(raw)
                if k < 0 { k += depth }
                if k >= 0 && k < depth { picks[(o * depth + k) * inner + i] = 1 }
            }
        }
        return [.tensor(Tensor(shape: outShape, data: values.data.selecting(picks)))]
    }
}
