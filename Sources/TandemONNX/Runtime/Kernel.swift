/// An operator instance bound to its attributes: immutable after load, so it may run on
/// many threads at once. Each call gets its inputs and returns fresh outputs.
protocol Kernel: Sendable {
    /// Runs the op. `inputs[i]` is `nil` for an omitted optional input.
    func run(_ inputs: [Value?]) throws(KernelError) -> [Value]
}

/// A run-time failure inside a kernel; the plan adds the node's name and op.
struct KernelError: Error {
    var message: String
    /// The node that failed when it is not the step's own (a node inside a fused step).
    var origin: (node: String, opType: String)?
    init(_ message: String) { self.message = message }

    /// This error attributed to `node` unless an inner node already claimed it.
    func from(_ node: String, _ opType: String) -> KernelError {
        var e = self
        if e.origin == nil { e.origin = (node, opType) }
        return e
    }
}

/// A load-time failure while building a kernel; the builder adds the node context.
struct BuildError: Error {
    var kind: ONNXLoadError.Kind
    var message: String
    init(_ kind: ONNXLoadError.Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
