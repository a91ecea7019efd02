/// `Add` (7, 13, 14) and `Mul` (7, 13, 14) with broadcasting; integer arithmetic wraps.
struct ArithmeticKernel: Kernel {
    enum Operation: Sendable { case add, mul }
    let operation: Operation

    static func schema(_ op: String, _ operation: Operation) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: [7, 13, 14], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
            try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
            try ctx.requireInput(1, oneOf: [.float, .double, .int64, .int32])
            if let a = ctx.inputElement(0), let b = ctx.inputElement(1), a != b {
                throw BuildError(.typeMismatch, "inputs have different element types (\(a) and \(b))")
            }
            let shapeA = ctx.inputShape(0), shapeB = ctx.inputShape(1)
            let shape = Broadcasting.shape(shapeA, shapeB)
            if shapeA != nil, shapeB != nil, shape == nil {
                throw BuildError(.typeMismatch, "input shapes \(ctx.inputTypes[0]?.text ?? "?") and \(ctx.inputTypes[1]?.text ?? "?") cannot be broadcast")
            }
            // Multiplying by a constant 1 (LightGBM's export) keeps the meaning of input 0.
            var role = NodeRole.plain
            if operation == .mul, let c = ctx.constantInputs[1], c.floatValues()?.allSatisfy({ $0 == 1 }) == true { role = .passThrough }
            if operation == .add, let c = ctx.constantInputs[1], c.floatValues()?.allSatisfy({ $0 == 0 }) == true { role = .passThrough }
            return BuiltKernel(kernel: ArithmeticKernel(operation: operation), outputTypes: [.tensor(ctx.inputElement(0) ?? ctx.inputElement(1), shape: shape)], role: role)
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let a = try Inputs.tensor(inputs, 0, "A"), b = try Inputs.tensor(inputs, 1, "B")
        guard let out = Broadcasting.shape(a.shape, b.shape) else {
            throw KernelError("shapes \(a.shape) and \(b.shape) cannot be broadcast")
        }
        _ = try Shapes.checkedCount(out)
        let add = operation == .add
        let data: TensorData
        switch (a.data, b.data) {
        case (.float(let x), .float(let y)):
            if let fast = Broadcasting.floatFastPath(x, a.shape, y, b.shape, out, add: add) {
                data = .float(fast)
            } else {
                data = .float(add ? Broadcasting.apply(x, a.shape, y, b.shape, out, +) : Broadcasting.apply(x, a.shape, y, b.shape, out, *))
            }
        case (.double(let x), .double(let y)):
            data = .double(add ? Broadcasting.apply(x, a.shape, y, b.shape, out, +) : Broadcasting.apply(x, a.shape, y, b.shape, out, *))
        case (.int64(let x), .int64(let y)):
            data = .int64(add ? Broadcasting.apply(x, a.shape, y, b.shape, out, &+) : Broadcasting.apply(x, a.shape, y, b.shape, out, &*))
        case (.int32(let x), .int32(let y)):
            data = .int32(add ? Broadcasting.apply(x, a.shape, y, b.shape, out, &+) : Broadcasting.apply(x, a.shape, y, b.shape, out, &*))
        default:
            throw KernelError("unsupported or mismatched element types tensor(\(a.elementType)) and tensor(\(b.elementType))")
        }
        return [.tensor(Tensor(shape: out, data: data))]
    }
}
