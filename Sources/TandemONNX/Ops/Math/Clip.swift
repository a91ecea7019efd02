/// `Clip` (6, 11, 12, 13): `min(max(x, lo), hi)`, so `hi` wins when `lo > hi` (numpy's clip);
/// NaN stays NaN. v6 reads float attributes `min`/`max`; v11+ optional scalar inputs of the
/// input's type (v12+ any numeric type). Missing bounds are the type's lowest/highest value.
struct ClipKernel: Kernel {
    /// v6 bounds from attributes; `nil` from v11 on.
    let attributeBounds: (min: Double, max: Double)?

    static let schema = OperatorSchema(opType: "Clip", domain: "", versions: [6, 11, 12, 13], inputs: 1...3, outputs: 1...1) { ctx throws(BuildError) in
        var bounds: (Double, Double)? = nil
        if ctx.sinceVersion < 11 {
            try ctx.requireInput(0, oneOf: ElementType.floating)
            bounds = (Double(try ctx.attributes.float("min") ?? -Float.greatestFiniteMagnitude),
                      Double(try ctx.attributes.float("max") ?? Float.greatestFiniteMagnitude))
        } else {
            try ctx.requireInput(0, oneOf: ElementType.numbers)
            for i in 1..<min(3, ctx.inputTypes.count) {
                if let e = ctx.inputElement(i), let x = ctx.inputElement(0), e != x {
                    throw BuildError(.typeMismatch, "bound input \(i) has type tensor(\(e)), the input tensor(\(x))")
                }
            }
        }
        return BuiltKernel(kernel: ClipKernel(attributeBounds: bounds), outputTypes: [ctx.inputTypes[0] ?? .unknown])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        var bounds: [TensorData?] = [nil, nil]
        if attributeBounds == nil {
            for i in 1..<3 where i < inputs.count && inputs[i] != nil {
                let b = try Inputs.tensor(inputs, i, i == 1 ? "min" : "max")
                guard b.count == 1 else { throw KernelError("\(i == 1 ? "min" : "max") must be a scalar, got shape \(b.shape)") }
                bounds[i - 1] = b.data
            }
        }
        let data = try t.data.visitArithmetic(ClipStep(attributeBounds: attributeBounds, lower: bounds[0], upper: bounds[1]))
        return [.tensor(Tensor(shape: t.shape, data: data))]
    }
}

private struct ClipStep: ArithmeticVisitor {
    let attributeBounds: (min: Double, max: Double)?
    let lower: TensorData?, upper: TensorData?

    func visit<T: ArithmeticScalar>(_ v: [T]) throws(KernelError) -> TensorData {
        var lo = T.lowest, hi = T.highest
        if let attributeBounds {
            lo = T(fromDouble: attributeBounds.min)
            hi = T(fromDouble: attributeBounds.max)
        }
        if let lower {
            guard let b = T.unwrap(lower)?.first else { throw KernelError("min must have the input's type tensor(\(T.elementType)), got tensor(\(lower.elementType))") }
            lo = b
        }
        if let upper {
            guard let b = T.unwrap(upper)?.first else { throw KernelError("max must have the input's type tensor(\(T.elementType)), got tensor(\(upper.elementType))") }
            hi = b
        }
        // `x != x` keeps NaN (Swift's max would replace it with the bound).
        return T.wrap(v.map { x in x != x ? x : Swift.min(hi, Swift.max(lo, x)) })
    }
}
