/// `Binarizer` (ai.onnx.ml 1): `Y = X > threshold ? 1 : 0` in the input's type (float, double,
/// int64 or int32); `threshold` defaults to 0. A NaN input fails the run, as in onnxruntime.
struct BinarizerKernel: Kernel {
    let threshold: Double

    static let schema = OperatorSchema(opType: "Binarizer", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let threshold = Double(try ctx.attributes.float("threshold") ?? 0)
        return BuiltKernel(kernel: BinarizerKernel(threshold: threshold), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    private struct Apply: OrderedVisitor {
        let threshold: Double
        func visit<T: OrderedScalar>(_ values: [T]) throws(KernelError) -> TensorData {
            let one = T(fromDouble: 1), zero = T(fromDouble: 0)
            var out = [T](repeating: zero, count: values.count)
            for (i, v) in values.enumerated() {
                let d = v.asDouble
                if d.isNaN { throw KernelError("input element \(i) is NaN") }
                if d > threshold { out[i] = one }
            }
            return T.wrap(out)
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        switch x.elementType {
        case .float, .double, .int64, .int32: break
        default: throw KernelError("expects float, double, int64 or int32, got tensor(\(x.elementType))")
        }
        return [.tensor(Tensor(shape: x.shape, data: try x.data.visitOrdered(Apply(threshold: threshold))))]
    }
}
