/// The opset imports of a model, normalised: `""` and `ai.onnx` are the same default domain,
/// duplicate imports keep the highest version.
struct OpsetTable {
    static let defaultDomain = ""
    static let mlDomain = "ai.onnx.ml"
    static let microsoftDomain = "com.microsoft"
    /// The newest opset Tandem implements per domain.
    static let newestSupported: [String: Int64] = [defaultDomain: 28, mlDomain: 5, microsoftDomain: 1]

    private(set) var versions: [String: Int64] = [:]
    /// Imports as written, for `ONNXModel.opsetImports` (`ai.onnx` spelled out for the default domain).
    private(set) var imports: [String: Int64] = [:]

    init(_ protos: [Onnx_OperatorSetIdProto]) throws(ONNXLoadError) {
        for p in protos {
            let domain = Self.normalize(p.domain)
            guard p.version >= 1 else {
                throw ONNXLoadError(.unsupportedOpset, "opset import for domain '\(Self.display(domain))' has invalid version \(p.version)")
            }
            versions[domain] = max(versions[domain] ?? 0, p.version)
            imports[Self.display(domain)] = versions[domain]
        }
    }

    static func normalize(_ domain: String) -> String { domain == "ai.onnx" ? defaultDomain : domain }
    static func display(_ domain: String) -> String { domain.isEmpty ? "ai.onnx" : domain }
}
