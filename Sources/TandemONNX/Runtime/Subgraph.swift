/// Compiles the GRAPH attributes of one control-flow node against the values visible to it.
struct SubgraphCompiler {
    var opsets: OpsetTable
    /// Every value visible at the node (its graph's and the enclosing graphs'), with its type.
    var scope: [String: ValueType]
    /// The node's implicit inputs: the values its subgraphs read from enclosing graphs, in the order
    /// the plan appends them after the node's own inputs.
    var implicitInputs: [String]

    /// Compiles attribute `name`; `inputTypes` give the formal inputs' types where the body omits them.
    func compile(_ attributes: NodeAttributes, _ name: String, inputTypes: [ValueType?]) throws(BuildError) -> Subgraph {
        guard let proto = try attributes.graph(name) else {
            throw BuildError(.invalidAttribute, "required attribute '\(name)' (GRAPH) is missing")
        }
        let builder: GraphBuilder
        do {
            builder = try GraphBuilder(graph: proto, opsets: opsets, isSubgraph: true, outer: scope, inputTypes: inputTypes)
        } catch {
            throw BuildError(error.kind, "in subgraph '\(name)': \(error.description)")
        }
        var captureIndices: [Int] = []
        for (captured, _) in builder.captures {
            guard let index = implicitInputs.firstIndex(of: captured) else {
                throw BuildError(.invalidGraph, "subgraph '\(name)' reads '\(captured)', which is not visible to the node")
            }
            captureIndices.append(index)
        }
        return Subgraph(
            plan: builder.plan, inputCount: proto.input.count,
            outputTypes: builder.graphOutputs.map(\.type), captureIndices: captureIndices)
    }
}

/// A compiled subgraph of a control-flow node: immutable, run once per branch or iteration.
struct Subgraph: Sendable {
    var plan: ExecutionPlan
    /// How many formal inputs the body declares.
    var inputCount: Int
    /// The inferred types of its outputs.
    var outputTypes: [ValueType]
    /// For each captured value, its index among the node's implicit inputs.
    var captureIndices: [Int]

    /// Runs the body with `inputs`; `implicit` are the node's implicit input values (after its own inputs).
    func run(_ inputs: [Value?], implicit: ArraySlice<Value?>) throws(KernelError) -> [Value] {
        var captures: [Value?] = []
        captures.reserveCapacity(captureIndices.count)
        for i in captureIndices {
            let at = implicit.startIndex + i
            captures.append(at < implicit.endIndex ? implicit[at] : nil)
        }
        return try plan.runSubgraph(inputs, captures: captures)
    }
}
