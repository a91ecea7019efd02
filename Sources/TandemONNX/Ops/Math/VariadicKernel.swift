/// `Max`, `Min` (6, 8, 12, 13), `Sum`, `Mean` (6, 8, 13): element-wise over one or more inputs
/// with numpy broadcasting, folded left to right with the binary kernel. Mean divides the sum
/// by the number of inputs (float and double only, like Sum).
struct VariadicKernel: Kernel {
    enum Operation: Sendable { case max, min, sum, mean }
    let operation: Operation

    static func schema(_ op: String, _ versions: [Int64], _ operation: Operation) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: versions, inputs: 1...Int.max, outputs: 1...1) { ctx throws(BuildError) in
            let allowed = operation == .max || operation == .min ? ElementType.numbers : ElementType.floating
            var shape: [Int?]? = ctx.inputShape(0)
            for i in ctx.inputTypes.indices {
                try ctx.requireInput(i, oneOf: allowed)
                if let a = ctx.inputElement(0), let b = ctx.inputElement(i), a != b {
                    throw BuildError(.typeMismatch, "input \(i) has type tensor(\(b)), input 0 tensor(\(a))")
                }
                if i > 0 { shape = Broadcasting.shape(shape, ctx.inputShape(i)) }
            }
            return BuiltKernel(kernel: VariadicKernel(operation: operation), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var result = try Inputs.tensor(inputs, 0)
        let step: BinaryOperation = switch operation {
        case .max: .max
        case .min: .min
        case .sum, .mean: .add
        }
        for i in 1..<max(inputs.count, 1) {
            result = try BinaryKernel.apply(step, result, try Inputs.tensor(inputs, i))
        }
        if operation == .mean, inputs.count > 1 {
            switch result.data {
            case .float(let v): let n = Float(inputs.count); result.data = .float(v.map { $0 / n })
            case .double(let v): let n = Double(inputs.count); result.data = .double(v.map { $0 / n })
            default: throw KernelError("Mean expects float or double, got tensor(\(result.elementType))")
            }
        }
        if inputs.count == 1, !(ElementType.numbers.contains(result.elementType)) {
            throw KernelError("expects a numeric tensor, got tensor(\(result.elementType))")
        }
        return [.tensor(result)]
    }
}
