/// `If` (1, 11, 13, 16, 19, 21): runs `then_branch` or `else_branch` on a single-element bool
/// condition and returns that branch's outputs. Both branches read enclosing values by capture.
struct IfKernel: Kernel {
    let thenBranch: Subgraph
    let elseBranch: Subgraph
    /// The node's own input count (the condition); implicit inputs follow it.
    let ownInputs: Int

    static let schema = OperatorSchema(opType: "If", domain: "", versions: [1, 11, 13, 16, 19, 21], inputs: 1...1, outputs: 1...Int.max) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.bool])
        guard let compiler = ctx.subgraphs else { throw BuildError(.invalidGraph, "If needs its branches compiled") }
        let thenBranch = try compiler.compile(ctx.attributes, "then_branch", inputTypes: [])
        let elseBranch = try compiler.compile(ctx.attributes, "else_branch", inputTypes: [])
        guard thenBranch.outputTypes.count == ctx.outputCount, elseBranch.outputTypes.count == ctx.outputCount else {
            throw BuildError(.invalidGraph, "the node has \(ctx.outputCount) outputs but then_branch has \(thenBranch.outputTypes.count) and else_branch \(elseBranch.outputTypes.count)")
        }
        let types = zip(thenBranch.outputTypes, elseBranch.outputTypes).map { a, b -> ValueType in
            // Shapes may differ between the branches; keep what both agree on.
            if case .tensor(let ea, let sa) = a, case .tensor(let eb, let sb) = b {
                return .tensor(ea ?? eb, shape: sa == sb ? sa : nil)
            }
            return a == b ? a : .unknown
        }
        return BuiltKernel(kernel: IfKernel(thenBranch: thenBranch, elseBranch: elseBranch, ownInputs: 1), outputTypes: types)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let cond = try Inputs.tensor(inputs, 0, "cond")
        guard case .bool(let flags) = cond.data, flags.count == 1 else {
            throw KernelError("cond must be a bool tensor with one element, got tensor(\(cond.elementType)) of shape \(cond.shape)")
        }
        let branch = flags[0] ? thenBranch : elseBranch
        return try branch.run([], implicit: inputs[min(ownInputs, inputs.count)...])
    }
}
