/// `GatherElements` (11, 13): `out[i][j][k] = data[index[i][j][k]][j][k]` along `axis`; indices
/// have the data's rank, may be negative, and must be in range.
struct GatherElementsKernel: Kernel {
    let axis: Int

    static let schema = OperatorSchema(opType: "GatherElements", domain: "", versions: [11, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64, .int32])
        let axis = Int(try ctx.attributes.int("axis") ?? 0)
        if let r = ctx.inputShape(0)?.count, Shapes.normalizedAxis(axis, rank: r) == nil {
            throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(r)")
        }
        return BuiltKernel(kernel: GatherElementsKernel(axis: axis), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(1))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let data = try Inputs.tensor(inputs, 0, "data")
        let idx = try Inputs.tensor(inputs, 1, "indices")
        guard let indices = idx.integerValues() else { throw KernelError("indices must be int64 or int32") }
        let rank = data.shape.count
        guard idx.shape.count == rank else { throw KernelError("indices shape \(idx.shape) must have the rank of data \(data.shape)") }
        guard let a = Shapes.normalizedAxis(axis, rank: rank) else { throw KernelError("axis \(axis) is out of range for shape \(data.shape)") }
        for d in 0..<rank where d != a && idx.shape[d] > data.shape[d] {
            throw KernelError("indices shape \(idx.shape) exceeds data shape \(data.shape) on axis \(d)")
        }
        let dataStrides = Shapes.strides(data.shape)
        let dim = Int64(data.shape[a])
        // Offsets of every index position without the gathered axis.
        var steps = dataStrides
        steps[a] = 0
        let bases = try ShapeOpSupport.stridedIndices(shape: idx.shape, base: 0, steps: steps)
        var picks: [Int] = []
        picks.reserveCapacity(indices.count)
        for (n, i) in indices.enumerated() {
            let r = i < 0 ? i + dim : i
            guard r >= 0, r < dim else { throw KernelError("index \(i) is out of range for axis \(a) of size \(dim)") }
            picks.append(bases[n] + Int(r) * dataStrides[a])
        }
        return [.tensor(Tensor(shape: idx.shape, data: data.data.selecting(picks)))]
    }
}

/// `GatherND` (11, 12, 13): gathers slices of `data` addressed by the last axis of `indices`
/// (tuples of length k); from 12 the first `batch_dims` axes are shared batch axes.
/// Output shape: `indices.shape[..<-1] + data.shape[batch_dims + k...]`.
struct GatherNDKernel: Kernel {
    let batchDims: Int

    static let schema = OperatorSchema(opType: "GatherND", domain: "", versions: [11, 12, 13], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        let b = ctx.sinceVersion >= 12 ? Int(try ctx.attributes.int("batch_dims") ?? 0) : 0
        guard b >= 0 else { throw BuildError(.invalidAttribute, "batch_dims \(b) must not be negative") }
        var shape: [Int?]? = nil
        if let d = ctx.inputShape(0), let i = ctx.inputShape(1), let last = i.last, let k = last {
            guard b < i.count, b + k <= d.count else {
                throw BuildError(.invalidAttribute, "indices of shape \(i) do not fit data of rank \(d.count) with batch_dims \(b)")
            }
            shape = Array(i.dropLast()) + Array(d[(b + k)...])
        }
        return BuiltKernel(kernel: GatherNDKernel(batchDims: b), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let data = try Inputs.tensor(inputs, 0, "data")
        let idx = try Inputs.tensor(inputs, 1, "indices")
        guard let indices = idx.integerValues() else { throw KernelError("indices must be int64") }
        let b = batchDims
        guard let k = idx.shape.last, b < idx.shape.count, b + k <= data.shape.count else {
            throw KernelError("indices of shape \(idx.shape) do not fit data of shape \(data.shape) with batch_dims \(b)")
        }
        for d in 0..<b where idx.shape[d] != data.shape[d] {
            throw KernelError("batch axis \(d) differs: indices \(idx.shape), data \(data.shape)")
        }
        let outShape = Array(idx.shape.dropLast()) + Array(data.shape[(b + k)...])
        _ = try Shapes.checkedCount(outShape)
        let strides = Shapes.strides(data.shape)
        let inner = data.shape[(b + k)...].reduce(1, *)
        let batchSize = data.shape[b...].reduce(1, *)
        let batches = idx.shape[..<b].reduce(1, *)
        let tuplesPerBatch = batches == 0 ? 0 : (k == 0 ? idx.shape[b..<(idx.shape.count - 1)].reduce(1, *) : indices.count / k / batches)
        var runs: [(part: Int, start: Int, length: Int)] = []
        runs.reserveCapacity(batches * tuplesPerBatch)
        var pos = 0
        for batch in 0..<batches {
            for _ in 0..<tuplesPerBatch {
                var offset = batch * batchSize
                for j in 0..<k {
                    let dim = Int64(data.shape[b + j])
                    let i = indices[pos + j]
                    let r = i < 0 ? i + dim : i
                    guard r >= 0, r < dim else { throw KernelError("index \(i) is out of range for axis \(b + j) of size \(dim)") }
                    offset += Int(r) * strides[b + j]
                }
                pos += k
                if inner > 0 { runs.append((0, offset, inner)) }
            }
        }
        guard let out = TensorData.gatherRuns([data.data], runs) else { throw KernelError("cannot gather tensor(\(data.elementType))") }
        return [.tensor(Tensor(shape: outShape, data: out))]
    }
}
