/// `BatchNormalization` (7, 9, 14, 15) on `[N, C, D...]`: inference mode normalises with the given
/// mean and variance per channel (v7 `spatial=0`: per element of `[C, D...]`). From v14,
/// `training_mode=1` normalises with the batch statistics and also outputs the updated running mean
/// and variance (`momentum`); versions before 14 signal training by extra outputs, which are refused.
struct BatchNormalizationKernel: Kernel {
    let epsilon: Double
    let momentum: Double
    let training: Bool
    let spatial: Bool

    static let schema = OperatorSchema(opType: "BatchNormalization", domain: "", versions: [7, 9, 14, 15], inputs: 5...5, outputs: 1...5) { ctx throws(BuildError) in
        for i in 0..<5 { try ctx.requireInput(i, oneOf: ElementType.floating) }
        let training: Bool
        if ctx.sinceVersion >= 14 {
            let mode = try ctx.attributes.int("training_mode") ?? 0
            guard mode == 0 || mode == 1 else { throw BuildError(.invalidAttribute, "attribute 'training_mode' must be 0 or 1, got \(mode)") }
            training = mode == 1
            guard ctx.outputCount == 1 || (training && ctx.outputCount <= 3) else {
                throw BuildError(.invalidGraph, "BatchNormalization-\(ctx.sinceVersion) has 1 output in inference mode and up to 3 with training_mode=1")
            }
        } else {
            training = false
            guard ctx.outputCount == 1 else {
                throw BuildError(.invalidAttribute, "BatchNormalization-\(ctx.sinceVersion) with \(ctx.outputCount) outputs is training mode, which Tandem does not run before version 14")
            }
        }
        let spatial = try ctx.attributes.int("spatial") ?? 1
        guard ctx.sinceVersion >= 9 || spatial == 0 || spatial == 1 else { throw BuildError(.invalidAttribute, "attribute 'spatial' must be 0 or 1, got \(spatial)") }
        let kernel = BatchNormalizationKernel(epsilon: Double(try ctx.attributes.float("epsilon") ?? 1e-5),
                                              momentum: Double(try ctx.attributes.float("momentum") ?? 0.9),
                                              training: training, spatial: ctx.sinceVersion >= 9 || spatial == 1)
        var types: [ValueType] = [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))]
        if training { types += [.tensor(ctx.inputElement(3), shape: ctx.inputShape(3)), .tensor(ctx.inputElement(4), shape: ctx.inputShape(4))] }
        return BuiltKernel(kernel: kernel, outputTypes: types)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        let names = ["scale", "B", "input_mean", "input_var"]
        var params: [[Double]] = []
        for i in 1...4 {
            let t = try Inputs.tensor(inputs, i, names[i - 1])
            guard let d = t.data.doubles, t.elementType == .float || t.elementType == .double else {
                throw KernelError("\(names[i - 1]) must be float or double, got tensor(\(t.elementType))")
            }
            params.append(d)
        }
        guard x.shape.count >= 2 else { throw KernelError("X must have rank >= 2 (N, C, ...), got shape \(x.shape)") }
        let channels = spatial ? x.shape[1] : x.shape[1...].reduce(1, *)
        guard params.allSatisfy({ $0.count == channels }) else {
            throw KernelError("scale, B, mean and var must each hold \(channels) values for X of shape \(x.shape)")
        }
        let plane = spatial ? x.shape[2...].reduce(1, *) : 1
        let batch = x.shape[0]
        var mean = params[2], variance = params[3]
        var outputs: [Value] = []
        if training {
            let stats = try x.data.visitFloating(ChannelStatistics(batch: batch, channels: channels, plane: plane), "X")
            mean = stats.mean
            variance = stats.variance
        }
        var factor = [Double](repeating: 0, count: channels), shift = factor
        for c in 0..<channels {
            factor[c] = params[0][c] / (variance[c] + epsilon).squareRoot()
            shift[c] = params[1][c] - mean[c] * factor[c]
        }
        let affine = ChannelAffine(batch: batch, channels: channels, plane: plane, factor: factor, shift: shift)
        outputs.append(.tensor(Tensor(shape: x.shape, data: try x.data.visitFloating(affine, "X"))))
        if training {
            for (i, current) in [(3, mean), (4, variance)] {
                let given = try Inputs.tensor(inputs, i)
                let running = zip(params[i - 1], current).map { $0 * momentum + $1 * (1 - momentum) }
                let data: TensorData = given.elementType == .double ? .double(running) : .float(running.map { Float($0) })
                outputs.append(.tensor(Tensor(shape: given.shape, data: data)))
            }
        }
        return outputs
    }
}

/// `y = x * factor[c] + shift[c]` over `[batch, channels, plane]`.
struct ChannelAffine: FloatingVisitor {
    let batch: Int, channels: Int, plane: Int
    let factor: [Double], shift: [Double]

    func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> TensorData {
        var out = x
        var O = out.mutableSpan
        for n in 0..<batch {
            for c in 0..<channels {
                let a = T(factor[c]), b = T(shift[c])
                let base = (n * channels + c) * plane
                for i in 0..<plane { O[base + i] = O[base + i] * a + b }
            }
        }
        return T.wrap(out)
    }
}

/// The mean and population variance of each channel over the batch and spatial axes.
struct ChannelStatistics: FloatingVisitor {
    let batch: Int, channels: Int, plane: Int

    func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> (mean: [Double], variance: [Double]) {
        var mean = [Double](repeating: 0, count: channels), variance = mean
        let X = x.span
        let count = Double(batch * plane)
        for c in 0..<channels {
            var s = 0.0
            for n in 0..<batch {
                let base = (n * channels + c) * plane
                for i in 0..<plane { s += Double(X[base + i]) }
            }
            let mu = count > 0 ? s / count : 0
            var q = 0.0
            for n in 0..<batch {
                let base = (n * channels + c) * plane
                for i in 0..<plane { let d = Double(X[base + i]) - mu; q += d * d }
            }
            mean[c] = mu
            variance[c] = count > 0 ? q / count : 0
        }
        return (mean, variance)
    }
}
