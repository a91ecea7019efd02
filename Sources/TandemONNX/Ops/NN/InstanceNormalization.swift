/// `InstanceNormalization` (6, 22): each `[n, c]` plane of `[N, C, D...]` normalised by its own
/// mean and variance, then scaled and shifted per channel.
struct InstanceNormalizationKernel: Kernel {
    let epsilon: Double

    static let schema = OperatorSchema(opType: "InstanceNormalization", domain: "", versions: [6, 22], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        for i in 0..<3 { try ctx.requireInput(i, oneOf: ElementType.floating) }
        let kernel = InstanceNormalizationKernel(epsilon: Double(try ctx.attributes.float("epsilon") ?? 1e-5))
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        let scale = try Inputs.tensor(inputs, 1, "scale"), bias = try Inputs.tensor(inputs, 2, "B")
        guard x.shape.count >= 2 else { throw KernelError("X must have rank >= 2 (N, C, ...), got shape \(x.shape)") }
        let batch = x.shape[0], channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        guard let s = scale.data.doubles, let b = bias.data.doubles, s.count == channels, b.count == channels else {
            throw KernelError("scale and B must each hold \(channels) numbers")
        }
        let stats = try x.data.visitFloating(ChannelStatistics(batch: 1, channels: batch * channels, plane: plane), "X")
        var factor = [Double](repeating: 0, count: batch * channels), shift = factor
        for i in 0..<(batch * channels) {
            let c = i % channels
            factor[i] = s[c] / (stats.variance[i] + epsilon).squareRoot()
            shift[i] = b[c] - stats.mean[i] * factor[i]
        }
        let affine = ChannelAffine(batch: 1, channels: batch * channels, plane: plane, factor: factor, shift: shift)
        return [.tensor(Tensor(shape: x.shape, data: try x.data.visitFloating(affine, "X")))]
    }
}
