/// A validated graph in topological order, bound to kernels and value slots.
///
/// Immutable after load; `run` keeps every intermediate value in a per-call slot array,
/// so concurrent calls share nothing mutable and take no locks.
struct ExecutionPlan: Sendable {
    /// One node to execute.
    struct Step: Sendable {
        var kernel: any Kernel
        /// Slot per input; -1 for an omitted optional input.
        var inputSlots: [Int]
        /// Slot per output; -1 for an omitted optional output.
        var outputSlots: [Int]
        /// Slots whose last reader is this step (freed after it runs).
        var releases: [Int]
        var nodeName: String
        var opType: String
    }

    /// One graph input a caller feeds.
    struct Feed: Sendable {
        var name: String
        var slot: Int
        var elementType: ElementType
        var shape: [Int?]?
        /// True when an initializer provides a default (older IR files list initializers as inputs).
        var optional: Bool
    }

    var slotCount: Int
    /// Initializer values by slot (nil where a slot is computed).
    var constants: [Value?]
    var feeds: [Feed]
    var steps: [Step]
    /// Graph outputs: name and slot.
    var outputs: [(name: String, slot: Int)]
    /// Slots of values a subgraph captures from enclosing graphs (empty for the main graph).
    var captureSlots: [Int] = []

    /// Runs a subgraph: `inputs` feed its formal inputs in order, `captures` its captured values in
    /// `captureSlots` order; returns its outputs in order. No conversion: the node passes values as they are.
    func runSubgraph(_ inputs: [Value?], captures: [Value?]) throws(KernelError) -> [Value] {
        var slots = constants
        guard inputs.count <= feeds.count else {
            throw KernelError("the subgraph takes \(feeds.count) inputs, \(inputs.count) were given")
        }
        for (i, v) in inputs.enumerated() { slots[feeds[i].slot] = v }
        for (i, s) in captureSlots.enumerated() where i < captures.count { slots[s] = captures[i] }
        do {
            try execute(&slots)
        } catch {
            throw KernelError("node '\(error.node)' (\(error.opType)): \(error.message)")
        }
        var result: [Value] = []
        result.reserveCapacity(outputs.count)
        for (name, slot) in outputs {
            guard let v = slots[slot] else { throw KernelError("subgraph output '\(name)' was not produced") }
            result.append(v)
        }
        return result
    }

    /// A kernel failure with the step it happened in.
    private struct StepFailure: Error {
        var message: String
        var node: String
        var opType: String
    }

    /// Runs every step over `slots`, freeing intermediates after their last reader.
    private func execute(_ slots: inout [Value?]) throws(StepFailure) {
        var ins: [Value?] = []
        for step in steps {
            ins.removeAll(keepingCapacity: true)
            for s in step.inputSlots { ins.append(s < 0 ? nil : slots[s]) }
            let outs: [Value]
            do {
                outs = try step.kernel.run(ins)
            } catch {
                throw StepFailure(message: error.message, node: error.origin?.node ?? step.nodeName,
                                  opType: error.origin?.opType ?? step.opType)
            }
            for (i, s) in step.outputSlots.enumerated() where s >= 0 && i < outs.count {
                slots[s] = outs[i]
            }
            for s in step.releases { slots[s] = nil }
        }
    }

    func run(_ given: [String: Tensor]) throws(ONNXRunError) -> [String: Value] {
        var slots = constants
        var used = 0
        for feed in feeds {
            guard let tensor = given[feed.name] else {
                if feed.optional { continue }
                throw ONNXRunError(.missingInput, "input is required but was not fed", input: feed.name)
            }
            used += 1
            slots[feed.slot] = .tensor(try FeedConversion.convert(tensor, to: feed))
        }
        if used != given.count {
            let known = Set(feeds.map(\.name))
            let extra = given.keys.filter { !known.contains($0) }.sorted()
            if let first = extra.first {
                throw ONNXRunError(.unknownInput, "the model has no input named '\(first)' (inputs: \(feeds.map(\.name).joined(separator: ", ")))", input: first)
            }
        }
        do {
            try execute(&slots)
        } catch {
            throw ONNXRunError(.operatorFailure, error.message, node: error.node, opType: error.opType)
        }
        var result: [String: Value] = [:]
        result.reserveCapacity(outputs.count)
        for (name, slot) in outputs {
            guard let v = slots[slot] else {
                throw ONNXRunError(.operatorFailure, "graph output '\(name)' was not produced")
            }
            result[name] = v
        }
        return result
    }
}

/// Checks a feed against its graph input and casts numeric feeds to the declared type.
enum FeedConversion {
    static func convert(_ tensor: Tensor, to feed: ExecutionPlan.Feed) throws(ONNXRunError) -> Tensor {
        guard let count = Shapes.elementCount(tensor.shape), count == tensor.count else {
            throw ONNXRunError(.wrongShape, "shape \(tensor.shape) holds \(Shapes.elementCount(tensor.shape).map(String.init) ?? "an invalid number of") elements but \(tensor.count) values were given", input: feed.name)
        }
        var t = tensor
        if let declared = feed.shape {
            if t.shape.count == 1, declared.count == 2, let c = declared[1], t.shape[0] == c {
                t.shape = [1, c]  // one row given as a vector
            }
            guard t.shape.count == declared.count else {
                throw ONNXRunError(.wrongShape, "expected rank \(declared.count) (shape \(Self.text(declared))), got shape \(t.shape)", input: feed.name)
            }
            for (i, d) in declared.enumerated() where i > 0 {
                if let d, d != t.shape[i] {
                    throw ONNXRunError(.wrongShape, "expected shape \(Self.text(declared)), got \(t.shape): dimension \(i) must be \(d)", input: feed.name)
                }
            }
        }
        if t.elementType == feed.elementType { return t }
        guard let converted = cast(t.data, to: feed.elementType) else {
            throw ONNXRunError(.wrongType, "expected tensor(\(feed.elementType)), got tensor(\(t.elementType))", input: feed.name)
        }
        t.data = converted
        return t
    }

    /// Numeric-to-numeric conversions only; strings never convert.
    static func cast(_ data: TensorData, to type: ElementType) -> TensorData? {
        let doubles: [Double]
        switch data {
        case .float(let v):
            if type == .double { return .double(v.map { Double($0) }) }
            doubles = v.map { Double($0) }
        case .double(let v):
            if type == .float { return .float(v.map { Float($0) }) }
            doubles = v
        case .int64(let v):
            if type == .float { return .float(v.map { Float($0) }) }
            doubles = v.map { Double($0) }
        case .int32(let v):
            if type == .float { return .float(v.map { Float($0) }) }
            doubles = v.map { Double($0) }
        case .int8(let v):
            doubles = v.map { Double($0) }
        case .uint8(let v):
            doubles = v.map { Double($0) }
        case .bool, .string:
            return nil
        }
        switch type {
        case .double: return .double(doubles)
        case .float: return .float(doubles.map { Float($0) })
        case .int64:
            guard doubles.allSatisfy({ $0 == $0.rounded(.towardZero) && abs($0) < 9.2e18 }) else { return nil }
            return .int64(doubles.map { Int64($0) })
        case .int32:
            guard doubles.allSatisfy({ $0 == $0.rounded(.towardZero) && abs($0) < 2.1e9 }) else { return nil }
            return .int32(doubles.map { Int32($0) })
        default: return nil
        }
    }

    static func text(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + "]"
    }
}
