/// `Concat` (4, 11, 13): joins tensors of one element type along `axis` (negative allowed).
struct ConcatKernel: Kernel {
    let axis: Int

    static let schema = OperatorSchema(opType: "Concat", domain: "", versions: [4, 11, 13], inputs: 1...Int(Int16.max), outputs: 1...1) { ctx throws(BuildError) in
        guard let axis = try ctx.attributes.int("axis") else {
            throw BuildError(.invalidAttribute, "required attribute 'axis' (INT) is missing")
        }
        let elements = Set(ctx.inputTypes.compactMap { $0?.elementType })
        if elements.count > 1 {
            throw BuildError(.typeMismatch, "inputs have different element types (\(elements.map(\.description).sorted().joined(separator: ", ")))")
        }
        var shape: [Int?]? = nil
        let shapes = ctx.inputTypes.map { $0?.shape }
        if let first = shapes.first ?? nil, shapes.allSatisfy({ $0?.count == first.count }) {
            guard let a = Shapes.normalizedAxis(Int(axis), rank: first.count) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(first.count)")
            }
            var out = first
            var total: Int? = 0
            for s in shapes { total = ShapeOpSupport.sum([total, s?[a]]) }
            out[a] = total
            shape = out
        }
        return BuiltKernel(kernel: ConcatKernel(axis: Int(axis)), outputTypes: [.tensor(elements.first, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var tensors: [Tensor] = []
        for i in inputs.indices { tensors.append(try Inputs.tensor(inputs, i)) }
        guard let first = tensors.first else { throw KernelError("needs at least one input") }
        let rank = first.shape.count
        guard let a = Shapes.normalizedAxis(axis, rank: rank) else {
            throw KernelError("axis \(axis) is out of range for shape \(first.shape)")
        }
        var outShape = first.shape
        outShape[a] = 0
        for t in tensors {
            guard t.shape.count == rank, t.elementType == first.elementType else {
                throw KernelError("inputs must share rank and element type; got \(first.shape) \(first.elementType) and \(t.shape) \(t.elementType)")
            }
            for d in 0..<rank where d != a && t.shape[d] != first.shape[d] {
                throw KernelError("inputs differ outside the concat axis: \(first.shape) and \(t.shape)")
            }
            outShape[a] += t.shape[a]
        }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        var runs: [(part: Int, start: Int, length: Int)] = []
        runs.reserveCapacity(outer * tensors.count)
        for o in 0..<outer {
            for (p, t) in tensors.enumerated() {
                let len = t.shape[a] * inner
                if len > 0 { runs.append((p, o * len, len)) }
            }
        }
        guard let data = TensorData.gatherRuns(tensors.map(\.data), runs) else {
            throw KernelError("inputs must share one element type")
        }
        return [.tensor(Tensor(shape: outShape, data: data))]
    }
}
