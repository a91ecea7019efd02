/// `Dropout` (7, 10, 12, 13, 22). Inference (the default, and always before v12) is the identity;
/// its optional mask is all true from v12 (the spec), and all zero before (v7 in X's type, v10
/// bool), as onnxruntime writes it. From v12 the `ratio` and
/// `training_mode` inputs may ask for training: elements are then zeroed with probability `ratio`
/// and the rest scaled by `1 / (1 - ratio)`, from a generator seeded by `seed` when given.
struct DropoutKernel: Kernel {
    let version: Int64
    let ratio: Double
    let seed: UInt64?

    static let schema = OperatorSchema(opType: "Dropout", domain: "", versions: [7, 10, 12, 13, 22], inputs: 1...3, outputs: 1...2) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.floating)
        if ctx.sinceVersion < 12 && ctx.inputTypes.count > 1 {
            throw BuildError(.invalidGraph, "Dropout-\(ctx.sinceVersion) has one input; ratio and training_mode became inputs in version 12")
        }
        try ctx.requireInput(1, oneOf: ElementType.floating)
        try ctx.requireInput(2, oneOf: [.bool])
        let ratio = Double(try ctx.attributes.float("ratio") ?? 0.5)
        guard ratio >= 0 && ratio < 1 else { throw BuildError(.invalidAttribute, "attribute 'ratio' must be in [0, 1), got \(ratio)") }
        let seed = try ctx.attributes.int("seed").map { UInt64(bitPattern: $0) }
        var types: [ValueType] = [ctx.inputTypes[0] ?? .unknown]
        if ctx.outputCount > 1 { types.append(.tensor(ctx.sinceVersion < 10 ? ctx.inputElement(0) : .bool, shape: ctx.inputShape(0))) }
        return BuiltKernel(kernel: DropoutKernel(version: ctx.sinceVersion, ratio: ratio, seed: seed), outputTypes: types, role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "data")
        var ratio = self.ratio
        var training = false
        if version >= 12 {
            ratio = 0.5
            if inputs.count > 1, inputs[1] != nil {
                let r = try Inputs.tensor(inputs, 1, "ratio")
                guard r.count == 1, let v = r.data.doubles?.first else { throw KernelError("ratio must be a scalar number") }
                ratio = v
            }
            if inputs.count > 2, inputs[2] != nil {
                let t = try Inputs.tensor(inputs, 2, "training_mode")
                guard case .bool(let b) = t.data, b.count == 1 else { throw KernelError("training_mode must be a bool scalar") }
                training = b[0]
            }
        }
        guard !training || ratio == 0 else { return try drop(x, ratio: ratio) }
        let mask: TensorData
        switch (version < 10, x.data) {
        case (true, .double): mask = .double(Array(repeating: 0, count: x.count))
        case (true, _): mask = .float(Array(repeating: 0, count: x.count))
        case (false, _): mask = .bool(Array(repeating: version >= 12, count: x.count))
        }
        return [.tensor(x), .tensor(Tensor(shape: x.shape, data: mask))]
    }

    /// Training-mode dropout.
    private func drop(_ x: Tensor, ratio: Double) throws(KernelError) -> [Value] {
        guard ratio >= 0 && ratio < 1 else { throw KernelError("ratio must be in [0, 1) in training mode, got \(ratio)") }
        var generator = DropoutRandom(seed: seed ?? UInt64.random(in: .min ... .max))
        let keep = (0..<x.count).map { _ in generator.unit() >= ratio }
        let scale = 1 / (1 - ratio)
        let data: TensorData
        switch x.data {
        case .float(let v): data = .float(zip(v, keep).map { $1 ? $0 * Float(scale) : 0 })
        case .double(let v): data = .double(zip(v, keep).map { $1 ? $0 * scale : 0 })
        default: throw KernelError("data must be float or double, got tensor(\(x.elementType))")
        }
        return [.tensor(Tensor(shape: x.shape, data: data)), .tensor(Tensor(shape: x.shape, data: .bool(keep)))]
    }
}

/// SplitMix64, so a seeded training-mode Dropout repeats itself.
struct DropoutRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    /// A uniform double in [0, 1).
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
