/// Validates a decoded graph and compiles it into an `ExecutionPlan`: initializers decoded,
/// nodes sorted topologically (cycles and dangling inputs rejected), every op resolved against
/// the imported opsets, attributes checked and output types inferred node by node.
struct GraphBuilder {
    /// What the signature builder learns about each value.
    struct ValueInfo {
        var type: ValueType
        /// The producing node (index into `nodes`) and output position, if a node produces it.
        var producer: (node: Int, output: Int)?
    }

    /// A compiled node, kept for signature analysis.
    struct CompiledNode {
        var opType: String
        var inputs: [String]
        var outputs: [String]
        var role: NodeRole
    }

    private(set) var plan: ExecutionPlan
    private(set) var values: [String: ValueInfo] = [:]
    private(set) var nodes: [CompiledNode] = []
    private(set) var constants: [String: Tensor] = [:]
    private(set) var graphInputs: [ExecutionPlan.Feed] = []
    private(set) var graphOutputs: [(name: String, type: ValueType)] = []

    /// Values of enclosing graphs this subgraph reads (captured by name), in slot order.
    private(set) var captures: [(name: String, slot: Int)] = []

    /// Builds the main graph (`outer` empty) or a subgraph of a control-flow node. A subgraph may read
    /// any value of its enclosing graphs (`outer`, with their types); those become captures, fed by the
    /// node at run time. `inputTypes` supplies the types of a subgraph's formal inputs where its
    /// declaration leaves them out (Loop and Scan bodies often do).
    init(
        graph: Onnx_GraphProto, opsets: OpsetTable, isSubgraph: Bool = false, outer: [String: ValueType] = [:],
        inputTypes: [ValueType?] = []
    ) throws(ONNXLoadError) {
        plan = ExecutionPlan(slotCount: 0, constants: [], feeds: [], steps: [], outputs: [])
        var slotOf: [String: Int] = [:]
        var constantsBySlot: [Value?] = []
        func newSlot(_ name: String) -> Int {
            let s = constantsBySlot.count
            constantsBySlot.append(nil)
            slotOf[name] = s
            return s
        }

        // Initializers.
        for (i, t) in graph.initializer.enumerated() {
            let name = t.name
            guard !name.isEmpty else { throw ONNXLoadError(.invalidGraph, "initializer #\(i) has no name") }
            guard slotOf[name] == nil else { throw ONNXLoadError(.invalidGraph, "initializer '\(name)' is defined twice") }
            let tensor: Tensor
            do {
                tensor = try TensorDecoding.tensor(t, what: "initializer '\(name)'")
            } catch {
                throw ONNXLoadError(error.kind, error.message)
            }
            let s = newSlot(name)
            constantsBySlot[s] = .tensor(tensor)
            constants[name] = tensor
            values[name] = ValueInfo(type: .tensor(tensor.elementType, shape: tensor.shape.map { $0 }), producer: nil)
        }

        // Graph inputs.
        var feeds: [ExecutionPlan.Feed] = []
        var seenInputs = Set<String>()
        for (position, input) in graph.input.enumerated() {
            let name = input.name
            guard !name.isEmpty else { throw ONNXLoadError(.invalidGraph, "a graph input has no name") }
            guard seenInputs.insert(name).inserted else { throw ONNXLoadError(.invalidGraph, "graph input '\(name)' is declared twice") }
            var declared = TypeDecoding.valueType(input.type)
            if isSubgraph {
                // A subgraph's formal input: its type comes from the node when the body leaves it out.
                let given = position < inputTypes.count ? inputTypes[position] : nil
                if declared.elementType == nil, let given { declared = given }
                if slotOf[name] != nil { throw ONNXLoadError(.invalidGraph, "subgraph input '\(name)' is also an initializer") }
                let s = newSlot(name)
                values[name] = ValueInfo(type: declared, producer: nil)
                feeds.append(.init(name: name, slot: s, elementType: declared.elementType ?? .float, shape: declared.shape, optional: false))
                continue
            }
            if let slot = slotOf[name] {
                // An initializer listed as an input (IR < 4 style): an overridable default.
                if let e = constants[name]?.elementType {
                    feeds.append(.init(name: name, slot: slot, elementType: e, shape: declared.shape, optional: true))
                }
                continue
            }
            guard case .tensor(let elem?, let shape) = declared else {
                throw ONNXLoadError(.invalidGraph, "graph input '\(name)' must be a tensor of float, double, int64, int32, int8, uint8, string or bool; it is declared as \(TypeDecoding.describe(input.type))")
            }
            let s = newSlot(name)
            values[name] = ValueInfo(type: declared, producer: nil)
            feeds.append(.init(name: name, slot: s, elementType: elem, shape: shape, optional: false))
        }
        graphInputs = feeds.filter { !$0.optional }

        // Which node produces which value.
        let protoNodes = graph.node
        var producerOf: [String: Int] = [:]
        for (i, node) in protoNodes.enumerated() {
            for out in node.output where !out.isEmpty {
                if producerOf[out] != nil || slotOf[out] != nil {
                    throw ONNXLoadError(.invalidGraph, "value '\(out)' is produced more than once", node: Self.displayName(node, i), opType: node.opType, domain: OpsetTable.display(OpsetTable.normalize(node.domain)))
                }
                producerOf[out] = i
            }
        }

        // Values a node's subgraphs read from this graph or its enclosing ones: implicit inputs.
        let implicitInputs: [[String]] = protoNodes.map { node in
            var free = Set<String>()
            for a in node.attribute {
                if a.hasG { free.formUnion(Self.freeVariables(a.g)) }
                for g in a.graphs { free.formUnion(Self.freeVariables(g)) }
            }
            return free.sorted()
        }
        func capture(_ name: String) -> Bool {
            guard let type = outer[name] else { return false }
            let s = newSlot(name)
            values[name] = ValueInfo(type: type, producer: nil)
            captures.append((name, s))
            return true
        }

        // Topological order (Kahn), rejecting dangling inputs and cycles.
        var pending = [Int](repeating: 0, count: protoNodes.count)
        var consumers: [[Int]] = Array(repeating: [], count: protoNodes.count)
        for (i, node) in protoNodes.enumerated() {
            for input in node.input + implicitInputs[i] where !input.isEmpty {
                if let p = producerOf[input] {
                    if p == i { continue }
                    pending[i] += 1
                    consumers[p].append(i)
                } else if slotOf[input] == nil, !capture(input) {
                    throw ONNXLoadError(
                        .danglingInput,
                        "input '\(input)' is not a graph input, an initializer or the output of any node",
                        node: Self.displayName(node, i), opType: node.opType,
                        domain: OpsetTable.display(OpsetTable.normalize(node.domain)),
                        opsetVersion: opsets.versions[OpsetTable.normalize(node.domain)])
                }
            }
        }
        var order: [Int] = []
        order.reserveCapacity(protoNodes.count)
        var ready = (0..<protoNodes.count).filter { pending[$0] == 0 }
        var cursor = 0
        while cursor < ready.count {
            let i = ready[cursor]
            cursor += 1
            order.append(i)
            for c in consumers[i] {
                pending[c] -= 1
                if pending[c] == 0 { ready.append(c) }
            }
        }
        if order.count != protoNodes.count, let stuck = (0..<protoNodes.count).first(where: { pending[$0] > 0 }) {
            let node = protoNodes[stuck]
            throw ONNXLoadError(
                .cycle, "the graph has a cycle through this node (its inputs depend on its own outputs)",
                node: Self.displayName(node, stuck), opType: node.opType,
                domain: OpsetTable.display(OpsetTable.normalize(node.domain)),
                opsetVersion: opsets.versions[OpsetTable.normalize(node.domain)])
        }

        // Resolve and build every node.
        var steps: [ExecutionPlan.Step] = []
        for i in order {
            let node = protoNodes[i]
            let domain = OpsetTable.normalize(node.domain)
            let display = Self.displayName(node, i)
            let opset = opsets.versions[domain]
            func fail(_ kind: ONNXLoadError.Kind, _ message: String) -> ONNXLoadError {
                ONNXLoadError(kind, message, node: display, opType: node.opType, domain: OpsetTable.display(domain), opsetVersion: opset)
            }
            guard let schemas = OperatorRegistry.schemas[domain] else {
                throw fail(.unknownOperator, "domain '\(OpsetTable.display(domain))' is not supported (supported: ai.onnx, ai.onnx.ml, com.microsoft)")
            }
            guard let schema = schemas[node.opType] else {
                throw fail(.unknownOperator, "unknown op '\(node.opType)' in domain \(OpsetTable.display(domain))")
            }
            guard let opset else {
                throw fail(.unsupportedOpset, "the model imports no opset for domain \(OpsetTable.display(domain))")
            }
            if let newest = OpsetTable.newestSupported[domain], opset > newest {
                throw fail(.unsupportedOpset, "opset \(opset) of domain \(OpsetTable.display(domain)) is newer than the newest Tandem supports (\(newest))")
            }
            guard let since = schema.versions.last(where: { $0 <= opset }) else {
                throw fail(.unsupportedOpset, "\(node.opType) does not exist in opset \(opset) (first version: \(schema.versions.first ?? 0))")
            }
            if let deprecated = schema.deprecatedSince, opset >= deprecated {
                throw fail(.unsupportedOpset, "\(node.opType) is deprecated from \(OpsetTable.display(domain)) opset \(deprecated) on")
            }
            guard schema.inputs.contains(node.input.count) else {
                throw fail(.invalidGraph, "has \(node.input.count) inputs; \(node.opType)-\(since) takes \(schema.inputs.lowerBound)...\(schema.inputs.upperBound)")
            }
            guard schema.outputs.contains(node.output.count) else {
                throw fail(.invalidGraph, "has \(node.output.count) outputs; \(node.opType)-\(since) produces \(schema.outputs.lowerBound)...\(schema.outputs.upperBound)")
            }
            let built: BuiltKernel
            let implicit = implicitInputs[i]
            do {
                var scope = outer
                for (name, info) in values { scope[name] = info.type }
                let context = NodeContext(
                    name: display, opType: node.opType, domain: domain, sinceVersion: since,
                    attributes: try NodeAttributes(node.attribute),
                    inputTypes: node.input.map { $0.isEmpty ? nil : values[$0]?.type },
                    constantInputs: node.input.map { $0.isEmpty ? nil : constants[$0] },
                    outputCount: node.output.count,
                    subgraphs: SubgraphCompiler(opsets: opsets, scope: scope, implicitInputs: implicit))
                built = try schema.build(context)
            } catch {
                throw fail(error.kind, error.message)
            }
            let nodeIndex = nodes.count
            for (o, name) in node.output.enumerated() where !name.isEmpty {
                let type = o < built.outputTypes.count ? built.outputTypes[o] : .unknown
                values[name] = ValueInfo(type: type, producer: (nodeIndex, o))
            }
            // A Constant node's value is known now: downstream nodes see it as they see an initializer,
            // so their load-time checks and shape inference use it (torch exports carry their Reshape
            // and Slice arguments this way). The node still runs, so its slot is filled as before.
            if domain.isEmpty, node.opType == "Constant", node.output.count == 1, !node.output[0].isEmpty,
                case .tensor(let value)? = try? built.kernel.run([]).first
            {
                constants[node.output[0]] = value
            }
            nodes.append(CompiledNode(opType: node.opType, inputs: node.input, outputs: node.output, role: built.role))
            steps.append(ExecutionPlan.Step(
                kernel: built.kernel,
                inputSlots: (node.input + implicit).map { $0.isEmpty ? -1 : (slotOf[$0] ?? -1) },
                outputSlots: node.output.map { $0.isEmpty ? -1 : newSlot($0) },
                releases: [], nodeName: display, opType: node.opType))
        }

        // Graph outputs.
        var outputs: [(name: String, slot: Int)] = []
        for out in graph.output {
            if slotOf[out.name] == nil { _ = capture(out.name) }
            guard let slot = slotOf[out.name] else {
                throw ONNXLoadError(.invalidGraph, "graph output '\(out.name)' is not produced by any node, input or initializer")
            }
            outputs.append((out.name, slot))
            let declared = TypeDecoding.valueType(out.type)
            let inferred = values[out.name]?.type ?? .unknown
            graphOutputs.append((out.name, Self.merge(declared: declared, inferred: inferred)))
        }
        guard !outputs.isEmpty else { throw ONNXLoadError(.invalidGraph, "the graph declares no outputs") }

        // Fuse element-wise float chains (bit-identical results, fewer passes and buffers), then free
        // each intermediate after its last reader (graph outputs and constants are kept).
        let keep = Set(outputs.map(\.slot))
        steps = ElementwiseFusion.fuse(steps, constants: constantsBySlot, keep: keep)
        var lastReader: [Int: Int] = [:]
        for (s, step) in steps.enumerated() {
            for slot in step.inputSlots where slot >= 0 && constantsBySlot[slot] == nil && !keep.contains(slot) {
                lastReader[slot] = s
            }
        }
        for (slot, s) in lastReader { steps[s].releases.append(slot) }

        plan = ExecutionPlan(
            slotCount: constantsBySlot.count, constants: constantsBySlot, feeds: feeds, steps: steps, outputs: outputs,
            captureSlots: captures.map(\.slot))
    }

    /// The names a graph reads but does not define (inputs, initializers and node outputs define
    /// names), its nested subgraphs included: what it captures from enclosing graphs.
    static func freeVariables(_ graph: Onnx_GraphProto) -> Set<String> {
        var defined = Set(graph.initializer.map(\.name))
        defined.formUnion(graph.input.map(\.name))
        var used = Set<String>()
        for node in graph.node {
            defined.formUnion(node.output)
            used.formUnion(node.input.filter { !$0.isEmpty })
            for a in node.attribute {
                if a.hasG { used.formUnion(freeVariables(a.g)) }
                for g in a.graphs { used.formUnion(freeVariables(g)) }
            }
        }
        used.formUnion(graph.output.map(\.name))
        return used.subtracting(defined)
    }

    /// The declared type, with the element type and shape filled in from inference where the declaration is silent.
    private static func merge(declared: ValueType, inferred: ValueType) -> ValueType {
        switch (declared, inferred) {
        case (.tensor(let e1, let s1), .tensor(let e2, let s2)):
            return .tensor(e1 ?? e2, shape: s1 ?? s2)
        case (.unknown, _): return inferred
        default: return declared
        }
    }

    static func displayName(_ node: Onnx_NodeProto, _ index: Int) -> String {
        if !node.name.isEmpty { return node.name }
        if let first = node.output.first, !first.isEmpty { return "#\(index) (output '\(first)')" }
        return "#\(index)"
    }
}
