/// `CumSum` (11, 14): running sums along the axis given as a scalar int32/int64 input;
/// `exclusive` = 1 leaves each element out of its own sum, `reverse` = 1 sums from the end.
/// Integers wrap.
struct CumSumKernel: Kernel {
    let exclusive: Bool
    let reverse: Bool

    static let schema = OperatorSchema(opType: "CumSum", domain: "", versions: [11, 14], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.numbers)
        try ctx.requireInput(1, oneOf: [.int32, .int64])
        let exclusive = (try ctx.attributes.int("exclusive") ?? 0) != 0
        let reverse = (try ctx.attributes.int("reverse") ?? 0) != 0
        return BuiltKernel(kernel: CumSumKernel(exclusive: exclusive, reverse: reverse), outputTypes: [ctx.inputTypes[0] ?? .unknown])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "x"), axisTensor = try Inputs.tensor(inputs, 1, "axis")
        guard let axisValues = axisTensor.integerValues(), axisValues.count == 1 else {
            throw KernelError("axis must be a scalar int32 or int64 tensor, got tensor(\(axisTensor.elementType)) of shape \(axisTensor.shape)")
        }
        guard let axis = Shapes.normalizedAxis(Int(truncatingIfNeeded: axisValues[0]), rank: x.shape.count) else {
            throw KernelError("axis \(axisValues[0]) is out of range for shape \(x.shape)")
        }
        let layout = MathAxisLayout(x.shape, axis: axis)
        let data = try x.data.visitArithmetic(CumSumStep(layout: layout, exclusive: exclusive, reverse: reverse))
        return [.tensor(Tensor(shape: x.shape, data: data))]
    }
}

private struct CumSumStep: ArithmeticVisitor {
    let layout: MathAxisLayout, exclusive: Bool, reverse: Bool
    func visit<T: ArithmeticScalar>(_ v: [T]) throws(KernelError) -> TensorData {
        guard !v.isEmpty else { return T.wrap(v) }
        let (outer, length, inner) = (layout.outer, layout.length, layout.inner)
        var out = v
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var sum = T.zero
                for step in 0..<length {
                    let j = base + (reverse ? length - 1 - step : step) * inner
                    let x = v[j]
                    if exclusive { out[j] = sum; sum = T.add(sum, x) } else { sum = T.add(sum, x); out[j] = sum }
                }
            }
        }
        return T.wrap(out)
    }
}
