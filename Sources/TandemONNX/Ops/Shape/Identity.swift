/// `Identity` (1, 13, 14, 16, 19, 21): returns its input (tensor or sequence) unchanged.
struct IdentityKernel: Kernel {
    static let schema = OperatorSchema(opType: "Identity", domain: "", versions: [1, 13, 14, 16, 19, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        BuiltKernel(kernel: IdentityKernel(), outputTypes: [ctx.inputTypes.first.flatMap { $0 } ?? .unknown], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        guard let v = inputs.first, let v else { throw KernelError("input is missing") }
        return [v]
    }
}
