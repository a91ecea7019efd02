/// `Scan` (9, 11, 16, 19, 21): iterates `body` over slices of the scan inputs along their scan axes,
/// threading state values through and stacking the per-iteration scan outputs. skl2onnx's KNN and
/// pairwise-distance exports use it. (Scan-8, with its batch axis and sequence_lens, is not supported.)
///
/// Body inputs: `(state..., scan slices...)`; body outputs: `(state..., scan output slices...)`.
struct ScanKernel: Kernel {
    let body: Subgraph
    let states: Int
    let scanInputs: Int
    let inputAxes: [Int]
    let inputReversed: [Bool]
    let outputAxes: [Int]
    let outputReversed: [Bool]
    let ownInputs: Int

    static let schema = OperatorSchema(opType: "Scan", domain: "", versions: [9, 11, 16, 19, 21], inputs: 1...Int.max, outputs: 1...Int.max) { ctx throws(BuildError) in
        guard let compiler = ctx.subgraphs else { throw BuildError(.invalidGraph, "Scan needs its body compiled") }
        let m = Int(try ctx.attributes.requiredInt("num_scan_inputs"))
        let n = ctx.inputTypes.count - m
        guard m >= 1, n >= 0 else {
            throw BuildError(.invalidAttribute, "num_scan_inputs = \(m) does not fit the node's \(ctx.inputTypes.count) inputs")
        }
        func flags(_ name: String, _ count: Int) throws(BuildError) -> [Int64] {
            let v = try ctx.attributes.ints(name) ?? Array(repeating: 0, count: count)
            guard v.count == count else { throw BuildError(.invalidAttribute, "'\(name)' has \(v.count) entries; expected \(count)") }
            return v
        }
        let inAxes = try flags("scan_input_axes", m)
        let inDirections = try flags("scan_input_directions", m)
        // Body input types: the states as given, the scan inputs with their scan axis removed.
        var bodyInputs: [ValueType?] = Array(ctx.inputTypes.prefix(n))
        for (j, t) in ctx.inputTypes.suffix(m).enumerated() {
            guard let t, case .tensor(let e, let shape) = t else { bodyInputs.append(nil); continue }
            if var s = shape, let a = Shapes.normalizedAxis(Int(inAxes[j]), rank: s.count) {
                s.remove(at: a)
                bodyInputs.append(.tensor(e, shape: s))
            } else {
                bodyInputs.append(.tensor(e, shape: nil))
            }
        }
        let body = try compiler.compile(ctx.attributes, "body", inputTypes: bodyInputs)
        guard body.inputCount == n + m else {
            throw BuildError(.invalidGraph, "the body takes \(body.inputCount) inputs; this Scan feeds it \(n) states and \(m) scan slices")
        }
        let k = body.outputTypes.count - n
        guard k >= 0, ctx.outputCount == n + k else {
            throw BuildError(.invalidGraph, "the body returns \(body.outputTypes.count) outputs but the node declares \(ctx.outputCount)")
        }
        let outAxes = try flags("scan_output_axes", k)
        let outDirections = try flags("scan_output_directions", k)
        for d in inDirections + outDirections where d != 0 && d != 1 {
            throw BuildError(.invalidAttribute, "scan directions must be 0 (forward) or 1 (reverse), got \(d)")
        }
        var types = Array(body.outputTypes.prefix(n))
        for t in body.outputTypes.suffix(k) { types.append(.tensor(t.elementType, shape: nil)) }
        return BuiltKernel(
            kernel: ScanKernel(
                body: body, states: n, scanInputs: m, inputAxes: inAxes.map { Int($0) }, inputReversed: inDirections.map { $0 == 1 },
                outputAxes: outAxes.map { Int($0) }, outputReversed: outDirections.map { $0 == 1 }, ownInputs: ctx.inputTypes.count),
            outputTypes: types)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var state: [Value?] = Array(inputs.prefix(states))
        var sequences: [(tensor: Tensor, axis: Int)] = []
        var length: Int? = nil
        for j in 0..<scanInputs {
            let t = try Inputs.tensor(inputs, states + j, "scan input \(j)")
            guard let axis = Shapes.normalizedAxis(inputAxes[j], rank: t.shape.count) else {
                throw KernelError("scan input \(j) of shape \(t.shape) has no axis \(inputAxes[j])")
            }
            if let length, length != t.shape[axis] {
                throw KernelError("scan inputs have different lengths along their scan axes (\(length) and \(t.shape[axis]))")
            }
            length = t.shape[axis]
            sequences.append((t, axis))
        }
        let steps = length ?? 0
        let outputs = body.outputTypes.count - states
        var parts: [[Tensor]] = Array(repeating: [], count: outputs)
        let implicit = inputs[min(ownInputs, inputs.count)...]
        for i in 0..<steps {
            var feed = state
            for (j, s) in sequences.enumerated() {
                feed.append(.tensor(ControlFlowStacking.slice(s.tensor, axis: s.axis, index: inputReversed[j] ? steps - 1 - i : i)))
            }
            let outs = try body.run(feed, implicit: implicit)
            state = outs.prefix(states).map { Optional($0) }
            for k in 0..<outputs {
                guard case .tensor(let t) = outs[states + k] else { throw KernelError("scan output \(k) is not a tensor") }
                parts[k].append(t)
            }
        }
        var result: [Value] = []
        for (i, v) in state.enumerated() {
            guard let v else { throw KernelError("state value \(i) is missing") }
            result.append(v)
        }
        for k in 0..<outputs {
            let ordered = outputReversed[k] ? parts[k].reversed() : parts[k]
            result.append(.tensor(try ControlFlowStacking.stack(ordered, axis: outputAxes[k], empty: body.outputTypes[states + k])))
        }
        return result
    }
}
