/// `Split` (2, 11, 13, 18): cuts a tensor along `axis` into the node's outputs. Part sizes come
/// from the `split` attribute (before 13) or input (from 13); otherwise the axis is divided
/// equally, or from 18 into `num_outputs` parts of ceil(dim / n) with a smaller last part.
struct SplitKernel: Kernel {
    let axis: Int
    let attributeSplit: [Int64]?
    let splitFromInput: Bool
    let numOutputs: Int?
    let outputCount: Int

    static let schema = OperatorSchema(opType: "Split", domain: "", versions: [2, 11, 13, 18], inputs: 1...2, outputs: 1...Int(Int16.max)) { ctx throws(BuildError) in
        let axis = Int(try ctx.attributes.int("axis") ?? 0)
        let fromInput = ctx.sinceVersion >= 13
        let attr = fromInput ? nil : try ctx.attributes.ints("split")
        var numOutputs: Int? = nil
        if ctx.sinceVersion >= 18, let n = try ctx.attributes.int("num_outputs") {
            guard n >= 1, Int(n) == ctx.outputCount else {
                throw BuildError(.invalidAttribute, "num_outputs \(n) must equal the number of outputs (\(ctx.outputCount))")
            }
            if fromInput && ctx.inputTypes.count > 1 && ctx.inputTypes[1] != nil {
                throw BuildError(.invalidAttribute, "sets both num_outputs and the split input")
            }
            numOutputs = Int(n)
        }
        if let attr, attr.count != ctx.outputCount {
            throw BuildError(.invalidAttribute, "split \(attr) has \(attr.count) parts but the node has \(ctx.outputCount) outputs")
        }
        let kernel = SplitKernel(axis: axis, attributeSplit: attr, splitFromInput: fromInput, numOutputs: numOutputs, outputCount: ctx.outputCount)
        var types = Array(repeating: ValueType.tensor(ctx.inputElement(0), shape: nil), count: ctx.outputCount)
        if let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)")
            }
            let split = fromInput ? ShapeOpSupport.constantInts(ctx, 1) : attr
            let hasSplitInput = fromInput && ctx.inputTypes.count > 1 && ctx.inputTypes[1] != nil
            let sizes: [Int?]
            if let split, !split.isEmpty {
                guard split.count == ctx.outputCount else {
                    throw BuildError(.invalidAttribute, "split \(split) has \(split.count) parts but the node has \(ctx.outputCount) outputs")
                }
                sizes = split.map { $0 >= 0 ? Int($0) : nil }
            }
            else if let d = s[a], !hasSplitInput, let parts = try? kernel.sizes(dim: d) { sizes = parts }
            else { sizes = Array(repeating: nil, count: ctx.outputCount) }
            types = sizes.map { size in
                var shape = s
                shape[a] = size
                return .tensor(ctx.inputElement(0), shape: shape)
            }
        }
        return BuiltKernel(kernel: kernel, outputTypes: types)
    }

    /// Part sizes when no split list is given.
    func sizes(dim: Int) throws(KernelError) -> [Int] {
        if let n = numOutputs {
            let chunk = (dim + n - 1) / n
            // onnxruntime rejects a split whose last part would be empty (6 into 4 parts of 2).
            guard dim == 0 || dim - (n - 1) * chunk > 0 else {
                throw KernelError("axis of size \(dim) cannot be split into \(n) parts of \(chunk)")
            }
            return (0..<n).map { max(0, min(chunk, dim - $0 * chunk)) }
        }
        guard dim % outputCount == 0 else {
            throw KernelError("axis of size \(dim) cannot be split into \(outputCount) equal parts")
        }
        return Array(repeating: dim / outputCount, count: outputCount)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        guard let a = Shapes.normalizedAxis(axis, rank: t.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(t.shape)")
        }
        let dim = t.shape[a]
        let raw = splitFromInput ? try ShapeOpSupport.optionalInts(inputs, 1, "split") : attributeSplit
        var sizes: [Int]
        // An empty split tensor means "not given", as onnxruntime reads it.
        if let raw, !raw.isEmpty {
            sizes = []
            for v in raw { sizes.append(try ShapeOpSupport.dimension(v, "split \(raw)")) }
            guard sizes.count == outputCount else { throw KernelError("split \(raw) has \(raw.count) parts but the node has \(outputCount) outputs") }
            guard sizes.reduce(0, +) == dim else { throw KernelError("split \(raw) does not add up to the axis size \(dim) of shape \(t.shape)") }
        } else {
            sizes = try self.sizes(dim: dim)
        }
        let outer = t.shape[..<a].reduce(1, *), inner = t.shape[(a + 1)...].reduce(1, *)
        var outputs: [Value] = []
        var offset = 0
        for size in sizes {
            var runs: [(part: Int, start: Int, length: Int)] = []
            let len = size * inner
            if len > 0 { for o in 0..<outer { runs.append((0, (o * dim + offset) * inner, len)) } }
            guard let data = TensorData.gatherRuns([t.data], runs) else { throw KernelError("cannot split tensor(\(t.elementType))") }
            var shape = t.shape
            shape[a] = size
            outputs.append(.tensor(Tensor(shape: shape, data: data)))
            offset += size
        }
        return outputs
    }
}
