import Foundation

/// What a model file declares and needs, read without building it: the signature as declared,
/// the opset imports, every operator with its count, and whether Tandem implements each one.
/// `tandem inspect` prints it; it works on models that do not load.
public struct ModelInspection: Sendable {
    /// One operator the graph (or one of its subgraphs) uses.
    public struct Operator: Sendable, Equatable {
        /// `ai.onnx`, `ai.onnx.ml`, `com.microsoft`, ...
        public var domain: String
        public var opType: String
        /// The opset the model imports for the domain (nil when it imports none).
        public var opset: Int64?
        /// How many nodes use it.
        public var count: Int
        /// nil when Tandem implements it at that opset; otherwise why not.
        public var unsupportedReason: String?
    }

    /// A declared graph input or output.
    public struct Port: Sendable, Equatable {
        public var name: String
        /// `tensor(float)[?,30]`, `seq(map(int64,float))`, ...
        public var type: String
    }

    public var irVersion: Int64
    public var producer: String
    /// Imported opsets, `ai.onnx` spelled out.
    public var opsetImports: [String: Int64]
    /// Graph inputs that are not initializers, in order.
    public var inputs: [Port]
    public var outputs: [Port]
    /// Operators sorted by domain and op type.
    public var operators: [Operator]

    /// True when every operator is supported.
    public var allSupported: Bool { operators.allSatisfy { $0.unsupportedReason == nil } }

    /// Reads a model file. Throws `ONNXLoadError` when the bytes are not an ONNX model.
    public init(contentsOf path: String) throws {
        try self.init(bytes: try ModelFile.bytes(path))
    }

    /// Reads serialized model bytes. Throws `ONNXLoadError` when they are not an ONNX model.
    public init(bytes: [UInt8]) throws {
        let model = try ModelFile.decode(bytes)
        let opsets = try OpsetTable(model.opsetImport)
        irVersion = model.irVersion
        producer = model.producerName
        opsetImports = opsets.imports
        let initializers = Set(model.graph.initializer.map(\.name))
        inputs = model.graph.input.filter { !initializers.contains($0.name) }.map {
            Port(name: $0.name, type: TypeDecoding.describe($0.type))
        }
        outputs = model.graph.output.map { Port(name: $0.name, type: TypeDecoding.describe($0.type)) }
        var counts: [OperatorKey: Int] = [:]
        Self.count(model.graph, into: &counts)
        operators = counts.map { key, count in
            let opset = opsets.versions[key.domain]
            return Operator(
                domain: OpsetTable.display(key.domain), opType: key.opType, opset: opset, count: count,
                unsupportedReason: OperatorSupport.problem(domain: key.domain, opType: key.opType, opset: opset))
        }.sorted { ($0.domain, $0.opType) < ($1.domain, $1.opType) }
    }

    private static func count(_ graph: Onnx_GraphProto, into counts: inout [OperatorKey: Int]) {
        for node in graph.node {
            counts[OperatorKey(domain: OpsetTable.normalize(node.domain), opType: node.opType), default: 0] += 1
            for attribute in node.attribute {
                if attribute.hasG { count(attribute.g, into: &counts) }
                for g in attribute.graphs { count(g, into: &counts) }
            }
        }
    }
}

/// An (domain, op type) pair, the domain normalised.
struct OperatorKey: Hashable {
    var domain: String
    var opType: String
}

/// Whether Tandem implements an operator at an imported opset, and if not, why.
enum OperatorSupport {
    /// nil when supported; otherwise the reason in words.
    static func problem(domain: String, opType: String, opset: Int64?) -> String? {
        guard let schemas = OperatorRegistry.schemas[domain] else {
            return "domain \(OpsetTable.display(domain)) is not supported"
        }
        guard let schema = schemas[opType] else { return "not implemented" }
        guard let opset else { return "the model imports no opset for domain \(OpsetTable.display(domain))" }
        if let newest = OpsetTable.newestSupported[domain], opset > newest {
            return "opset \(opset) is newer than the newest Tandem supports (\(newest))"
        }
        guard schema.versions.contains(where: { $0 <= opset }) else {
            return "does not exist in opset \(opset) (first version: \(schema.versions.first ?? 0))"
        }
        if let deprecated = schema.deprecatedSince, opset >= deprecated {
            return "deprecated from opset \(deprecated) on"
        }
        return nil
    }
}
