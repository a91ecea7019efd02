/// `Gather` (1, 11, 13): picks entries along `axis` (default 0) with int64/int32 indices;
/// negative indices count from the end. Output rank = rank(data) + rank(indices) - 1.
struct GatherKernel: Kernel {
    let axis: Int

    static let schema = OperatorSchema(opType: "Gather", domain: "", versions: [1, 11, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64, .int32])
        let axis = Int(try ctx.attributes.int("axis") ?? 0)
        var shape: [Int?]? = nil
        if let d = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: d.count) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(d.count)")
            }
            if let i = ctx.inputShape(1) { shape = Array(d[..<a]) + i + Array(d[(a + 1)...]) }
        }
        return BuiltKernel(kernel: GatherKernel(axis: axis), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let data = try Inputs.tensor(inputs, 0, "data")
        let indicesTensor = try Inputs.tensor(inputs, 1, "indices")
        guard let indices = indicesTensor.integerValues() else { throw KernelError("indices must be int64 or int32") }
        guard let a = Shapes.normalizedAxis(axis, rank: data.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(data.shape)")
        }
        let length = data.shape[a]
        let outer = data.shape[..<a].reduce(1, *), inner = data.shape[(a + 1)...].reduce(1, *)
        var resolved: [Int] = []
        resolved.reserveCapacity(indices.count)
        for i in indices {
            let r = i < 0 ? i + Int64(length) : i
            guard r >= 0, r < Int64(length) else { throw KernelError("index \(i) is out of range for axis \(a) of size \(length)") }
            resolved.append(Int(r))
        }
        _ = try Shapes.checkedCount(Array(data.shape[..<a]) + indicesTensor.shape + Array(data.shape[(a + 1)...]))
        var picks: [Int] = []
        picks.reserveCapacity(outer * resolved.count * inner)
        for o in 0..<outer {
            for r in resolved {
                let base = (o * length + r) * inner
                for j in 0..<inner { picks.append(base + j) }
            }
        }
        let shape = Array(data.shape[..<a]) + indicesTensor.shape + Array(data.shape[(a + 1)...])
        return [.tensor(Tensor(shape: shape, data: data.data.selecting(picks)))]
    }
}
