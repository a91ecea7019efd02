/// Why a model file could not be loaded: one error naming the node, op, domain and opset
/// version involved (when there is one) and what is wrong.
public struct ONNXLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad category of the failure, for callers and tests that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The bytes are not a decodable ONNX protobuf (truncated, random, wrong file).
        case invalidProtobuf
        /// The file could not be read.
        case unreadableFile
        /// The IR version is missing or older than 3.
        case unsupportedIRVersion
        /// The model has no graph, or graph-level structure is broken (duplicate names, bad outputs).
        case invalidGraph
        /// A node reads a value that nothing produces (no graph input, initializer or node output).
        case danglingInput
        /// The nodes form a cycle, so no topological order exists.
        case cycle
        /// The op is not known for its domain (or the domain is unknown).
        case unknownOperator
        /// The imported opset is newer than Tandem supports, or the op does not exist at that opset.
        case unsupportedOpset
        /// An attribute has the wrong type.
        case attributeType
        /// An attribute is missing or has an invalid value.
        case invalidAttribute
        /// Inputs/outputs of a node have types or shapes the op cannot accept.
        case typeMismatch
        /// An initializer tensor cannot be decoded.
        case invalidTensor
    }

    /// The category of the failure.
    public var kind: Kind
    /// What is wrong, in words.
    public var message: String
    /// The node's name (or `#index` when unnamed), when a node is at fault.
    public var node: String?
    /// The node's op type, when a node is at fault.
    public var opType: String?
    /// The node's domain (`ai.onnx` for the default domain), when a node is at fault.
    public var domain: String?
    /// The opset version imported for the node's domain, when known.
    public var opsetVersion: Int64?

    /// Creates a load error.
    public init(
        _ kind: Kind, _ message: String, node: String? = nil, opType: String? = nil,
        domain: String? = nil, opsetVersion: Int64? = nil
    ) {
        self.kind = kind
        self.message = message
        self.node = node
        self.opType = opType
        self.domain = domain
        self.opsetVersion = opsetVersion
    }

    /// `node 'n' (op X, domain D, opset V): message`, or just the message for model-level errors.
    public var description: String {
        guard let node else { return "ONNX load error: \(message)" }
        var parts: [String] = []
        if let opType { parts.append("op \(opType)") }
        if let domain { parts.append("domain \(domain)") }
        if let opsetVersion { parts.append("opset \(opsetVersion)") }
        let context = parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        return "ONNX load error in node '\(node)'\(context): \(message)"
    }
}
