import Foundation

/// A loaded, validated ONNX model; immutable, safe to run from many threads at once (no locks on the hot path).
///
/// Loading decodes the protobuf, checks the IR version and opset imports, sorts the graph
/// topologically, resolves every node's schema version and builds its kernel, so a model
/// that cannot run fails here with one `ONNXLoadError`. `run` keeps all intermediate values
/// in per-call storage.
public final class ONNXModel: Sendable {
    /// What the model expects and returns.
    public let signature: ModelSignature
    /// The file's IR version.
    public let irVersion: Int64
    /// The exporter (`skl2onnx`, `OnnxMLTools`, ...).
    public let producerName: String
    /// Imported opset per domain (`ai.onnx` for the default domain), duplicates merged to the highest.
    public let opsetImports: [String: Int64]

    private let plan: ExecutionPlan

    /// Loads a model file. Throws `ONNXLoadError`.
    public convenience init(contentsOf path: String) throws {
        try self.init(bytes: try ModelFile.bytes(path))
    }

    /// Loads a model from its serialized bytes. Throws `ONNXLoadError`.
    public init(bytes: [UInt8]) throws {
        let model = try ModelFile.decode(bytes)
        guard model.irVersion >= 3 else {
            throw ONNXLoadError(.unsupportedIRVersion, model.hasIrVersion
                ? "IR version \(model.irVersion) is not supported (3 or newer is required)"
                : "the file has no IR version; it is not an ONNX model")
        }
        guard model.hasGraph else { throw ONNXLoadError(.invalidGraph, "the model has no graph") }
        let opsets = try OpsetTable(model.opsetImport)
        try UnsupportedOperators.check(model.graph, opsets: opsets)
        let graph = try GraphBuilder(graph: model.graph, opsets: opsets)
        self.plan = graph.plan
        self.signature = SignatureBuilder.build(graph)
        self.irVersion = model.irVersion
        self.producerName = model.producerName
        self.opsetImports = opsets.imports
    }

    /// feeds: one tensor per signature input (by name), batch dimension first ([N, C]); N rows run in one call.
    /// Numeric feeds are cast to the declared element type. Throws `ONNXRunError`.
    public func run(_ feeds: [String: Tensor]) throws -> [String: Value] {
        try plan.run(feeds)
    }
}
