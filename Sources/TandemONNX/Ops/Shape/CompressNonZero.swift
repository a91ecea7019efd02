/// `Compress` (9, 11): keeps the slices along `axis` whose bool `condition` entry is true (a
/// shorter condition drops the rest); without `axis` it works on the flattened input.
struct CompressKernel: Kernel {
    let axis: Int?

    static let schema = OperatorSchema(opType: "Compress", domain: "", versions: [9, 11], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.bool])
        let axis = try ctx.attributes.int("axis").map { Int($0) }
        var shape: [Int?]? = axis == nil ? [nil] : nil
        if let axis, let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count), axis >= 0 || ctx.sinceVersion >= 11 else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)")
            }
            var out = s
            out[a] = nil
            shape = out
        }
        return BuiltKernel(kernel: CompressKernel(axis: axis), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        let c = try Inputs.tensor(inputs, 1, "condition")
        guard case .bool(let condition) = c.data, c.shape.count == 1 else {
            throw KernelError("condition must be a 1-D bool tensor, got tensor(\(c.elementType)) of shape \(c.shape)")
        }
        let shape = axis == nil ? [t.count] : t.shape
        let a: Int
        if let axis {
            guard let n = Shapes.normalizedAxis(axis, rank: shape.count) else { throw KernelError("axis \(axis) is out of range for shape \(t.shape)") }
            a = n
        } else {
            a = 0
        }
        let dim = shape[a]
        // As onnxruntime does, entries past the axis length are ignored.
        let kept = condition.indices.filter { $0 < dim && condition[$0] }
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var runs: [(part: Int, start: Int, length: Int)] = []
        if inner > 0 { for o in 0..<outer { for k in kept { runs.append((0, (o * dim + k) * inner, inner)) } } }
        guard let data = TensorData.gatherRuns([t.data], runs) else { throw KernelError("cannot compress tensor(\(t.elementType))") }
        var outShape = shape
        outShape[a] = kept.count
        return [.tensor(Tensor(shape: outShape, data: data))]
    }
}

/// `NonZero` (9, 13): the coordinates of the non-zero elements, as int64 `[rank, count]` in
/// row-major order (a scalar counts as rank 1, as onnxruntime does).
struct NonZeroKernel: Kernel {
    static let schema = OperatorSchema(opType: "NonZero", domain: "", versions: [9, 13], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.numbers.union([.bool]))
        let rank = ctx.inputShape(0).map { max($0.count, 1) }
        return BuiltKernel(kernel: NonZeroKernel(), outputTypes: [.tensor(.int64, shape: rank.map { [$0, nil] })])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "X")
        let flags = try t.data.visitNumeric(NonZeroFlags(), "X")
        let shape = t.shape.isEmpty ? [1] : t.shape
        let positions = flags.indices.filter { flags[$0] }
        let rank = shape.count
        let strides = Shapes.strides(shape)
        var out = [Int64](repeating: 0, count: rank * positions.count)
        for (n, p) in positions.enumerated() {
            var rest = p
            for d in 0..<rank {
                out[d * positions.count + n] = Int64(rest / strides[d])
                rest %= strides[d]
            }
        }
        return [.tensor(Tensor(shape: [rank, positions.count], data: .int64(out)))]
    }

    /// Whether each element is non-zero.
    private struct NonZeroFlags: NumericVisitor {
        func visit<T: NumericScalar>(_ values: [T]) throws(KernelError) -> [Bool] { values.map { $0 != T.zero } }
    }
}
