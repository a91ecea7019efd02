/// Why one `ONNXModel.run` call failed (bad feeds, or an op refusing its input at run time).
public struct ONNXRunError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad category of the failure.
    public enum Kind: String, Sendable, Equatable {
        /// A required graph input was not fed.
        case missingInput
        /// A feed names no graph input.
        case unknownInput
        /// A feed has an element type the input cannot take.
        case wrongType
        /// A feed has the wrong rank or a wrong fixed dimension.
        case wrongShape
        /// An op rejected a value at run time (unknown category with zeros=0, index out of range, ...).
        case operatorFailure
    }

    /// The category of the failure.
    public var kind: Kind
    /// What is wrong, in words.
    public var message: String
    /// The graph input involved, when the failure is about a feed.
    public var input: String?
    /// The node's name, when an op failed.
    public var node: String?
    /// The node's op type, when an op failed.
    public var opType: String?

    /// Creates a run error.
    public init(_ kind: Kind, _ message: String, input: String? = nil, node: String? = nil, opType: String? = nil) {
        self.kind = kind
        self.message = message
        self.input = input
        self.node = node
        self.opType = opType
    }

    /// A one-line explanation naming the input or node involved.
    public var description: String {
        if let node {
            let op = opType.map { " (op \($0))" } ?? ""
            return "ONNX run error in node '\(node)'\(op): \(message)"
        }
        if let input { return "ONNX run error for input '\(input)': \(message)" }
        return "ONNX run error: \(message)"
    }
}
