/// Every operator Tandem implements, by domain (`""` = ai.onnx, `ai.onnx.ml`, `com.microsoft`)
/// and op type. Each family of operators lists its schemas in its own file under `Ops/`.
enum OperatorRegistry {
    static let schemas: [String: [String: OperatorSchema]] = {
        let all = MathOperators.schemas + ShapeOperators.schemas + NNOperators.schemas
            + ControlFlowOperators.schemas + TextOperators.schemas + MLOperators.schemas
        var table: [String: [String: OperatorSchema]] = [:]
        for s in all { table[s.domain, default: [:]][s.opType] = s }
        return table
    }()

    /// The schema for an op, when Tandem implements it.
    static func schema(domain: String, opType: String) -> OperatorSchema? {
        schemas[domain]?[opType]
    }
}
