import Foundation

/// Element-wise float activations: `Relu` (6, 13, 14) and `Tanh` (6, 13).
struct ActivationKernel: Kernel {
    enum Function: Sendable { case relu, tanh }
    let function: Function

    static func schema(_ op: String, _ versions: [Int64], _ function: Function) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: versions, inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            try ctx.requireInput(0, oneOf: [.float, .double])
            return BuiltKernel(kernel: ActivationKernel(function: function), outputTypes: [ctx.inputTypes[0] ?? .unknown])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        switch t.data {
        case .float(var v):
            do {
                var b = v.mutableSpan
                switch function {
                case .relu: for i in b.indices { b[i] = b[i] < 0 ? 0 : b[i] }
                case .tanh: for i in b.indices { b[i] = tanhf(b[i]) }
                }
            }
            return [.tensor(Tensor(shape: t.shape, data: .float(v)))]
        case .double(var v):
            switch function {
            case .relu: for i in v.indices { v[i] = v[i] < 0 ? 0 : v[i] }
            case .tanh: for i in v.indices { v[i] = Foundation.tanh(v[i]) }
            }
            return [.tensor(Tensor(shape: t.shape, data: .double(v)))]
        default:
            throw KernelError("expects float or double, got tensor(\(t.elementType))")
        }
    }
}
