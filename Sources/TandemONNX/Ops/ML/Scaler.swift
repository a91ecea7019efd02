/// `Scaler` (ai.onnx.ml 1): `Y = (X - offset) * scale` along the last axis, float output.
/// `offset` and `scale` must have the same length, 1 or C (onnxruntime refuses a mix).
struct ScalerKernel: Kernel {
    let offset: [Float]
    let scale: [Float]

    static let schema = OperatorSchema(opType: "Scaler", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let offset = try ctx.attributes.floats("offset") ?? []
        let scale = try ctx.attributes.floats("scale") ?? []
        guard offset.count == scale.count, !offset.isEmpty else {
            throw BuildError(.invalidAttribute, "'offset' (\(offset.count) values) and 'scale' (\(scale.count) values) must have the same non-zero length")
        }
        if offset.count > 1, let c = ctx.inputShape(0)?.last ?? nil, c != offset.count {
            throw BuildError(.typeMismatch, "'offset'/'scale' have \(offset.count) values but the input has \(c) columns")
        }
        return BuiltKernel(kernel: ScalerKernel(offset: offset, scale: scale), outputTypes: [.tensor(.float, shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var (x, _, columns, shape) = try Inputs.floatMatrix(inputs)
        if offset.count == 1 {
            let o = offset[0], s = scale[0]
            for i in x.indices { x[i] = (x[i] - o) * s }
        } else {
            guard columns == offset.count else { throw KernelError("input has \(columns) columns but offset/scale have \(offset.count)") }
            // x.count is a multiple of columns, so i + j < x.count (spans check it anyway).
            var b = x.mutableSpan
            let o = offset.span, s = scale.span
            var i = 0
            while i < b.count {
                for j in 0..<columns { b[i + j] = (b[i + j] - o[j]) * s[j] }
                i += columns
            }
        }
        return [.tensor(Tensor(shape: shape, data: .float(x)))]
    }
}
