/// `Loop` (1, 11, 13, 16, 19, 21): runs `body` while the trip count `M` and the condition allow,
/// threading the loop-carried values through and stacking the scan outputs along a new first axis.
///
/// Body inputs: `(iteration_num, cond, carried...)`; body outputs: `(cond, carried..., scans...)`.
/// A loop with neither a trip count nor a condition that turns false would never end; Tandem stops
/// it after `maxIterations` with an error rather than hang a worker.
struct LoopKernel: Kernel {
    let body: Subgraph
    let carried: Int
    let scans: Int
    let ownInputs: Int
    /// Rank (0 or 1) the body declares for its iteration number and condition inputs.
    let iterationRank: Int
    let conditionRank: Int

    static let maxIterations = 10_000_000

    static let schema = OperatorSchema(opType: "Loop", domain: "", versions: [1, 11, 13, 16, 19, 21], inputs: 2...Int.max, outputs: 1...Int.max) { ctx throws(BuildError) in
        guard let compiler = ctx.subgraphs else { throw BuildError(.invalidGraph, "Loop needs its body compiled") }
        let carried = ctx.inputTypes.count - 2
        let bodyInputs: [ValueType?] = [.tensor(.int64, shape: nil), .tensor(.bool, shape: nil)] + ctx.inputTypes.dropFirst(2).map { $0 }
        let body = try compiler.compile(ctx.attributes, "body", inputTypes: bodyInputs)
        guard body.inputCount == carried + 2 else {
            throw BuildError(.invalidGraph, "the body takes \(body.inputCount) inputs; a Loop with \(carried) loop-carried values needs \(carried + 2)")
        }
        let scans = body.outputTypes.count - 1 - carried
        guard scans >= 0, ctx.outputCount == carried + scans else {
            throw BuildError(.invalidGraph, "the body returns \(body.outputTypes.count) outputs and the node declares \(ctx.outputCount); with \(carried) loop-carried values they must be 1 + \(carried) + scans and \(carried) + scans")
        }
        var types = Array(body.outputTypes.dropFirst().prefix(carried))
        for t in body.outputTypes.suffix(scans) {
            types.append(.tensor(t.elementType, shape: t.shape.map { [nil] + $0 }))
        }
        let proto = try ctx.attributes.graph("body")
        let rank = { (i: Int) -> Int in
            guard let p = proto, i < p.input.count else { return 0 }
            let declared = TypeDecoding.valueType(p.input[i].type)
            return declared.rank == 1 ? 1 : 0
        }
        return BuiltKernel(
            kernel: LoopKernel(body: body, carried: carried, scans: scans, ownInputs: ctx.inputTypes.count,
                               iterationRank: rank(0), conditionRank: rank(1)),
            outputTypes: types)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var limit = Int64.max
        if let m = inputs.first ?? nil {
            guard case .tensor(let t) = m, let v = t.data.int64s, v.count == 1 else {
                throw KernelError("M must be an int64 tensor with one element")
            }
            limit = v[0]
        }
        var condition = true
        let hasCondition = inputs.count > 1 && inputs[1] != nil
        if hasCondition, let c = inputs[1] {
            condition = try Self.flag(c, "cond")
        }
        var state: [Value?] = Array(inputs[2..<min(2 + carried, inputs.count)])
        var scanParts: [[Tensor]] = Array(repeating: [], count: scans)
        let implicit = inputs[min(ownInputs, inputs.count)...]
        var trip: Int64 = 0
        while trip < limit && condition {
            if trip >= Int64(Self.maxIterations) {
                throw KernelError("the loop ran \(Self.maxIterations) iterations without ending; Tandem stops loops there")
            }
            let iteration = Tensor(shape: iterationRank == 1 ? [1] : [], data: .int64([trip]))
            let condIn = Tensor(shape: conditionRank == 1 ? [1] : [], data: .bool([condition]))
            let outs = try body.run([.tensor(iteration), .tensor(condIn)] + state, implicit: implicit)
            guard outs.count == 1 + carried + scans else { throw KernelError("the body returned \(outs.count) outputs") }
            condition = try Self.flag(outs[0], "the body's condition output")
            state = outs[1..<(1 + carried)].map { Optional($0) }
            for k in 0..<scans {
                guard case .tensor(let t) = outs[1 + carried + k] else { throw KernelError("scan output \(k) is not a tensor") }
                scanParts[k].append(t)
            }
            trip += 1
        }
        var result: [Value] = []
        for (i, v) in state.enumerated() {
            guard let v else { throw KernelError("loop-carried value \(i) is missing") }
            result.append(v)
        }
        for k in 0..<scans {
            let type = body.outputTypes[1 + carried + k]
            result.append(.tensor(try ControlFlowStacking.stack(scanParts[k], axis: 0, empty: type)))
        }
        return result
    }

    static func flag(_ value: Value, _ what: String) throws(KernelError) -> Bool {
        guard case .tensor(let t) = value, case .bool(let b) = t.data, b.count == 1 else {
            throw KernelError("\(what) must be a bool tensor with one element")
        }
        return b[0]
    }
}
