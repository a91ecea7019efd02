/// Finds every operator a model needs that Tandem lacks, in the graph and all its subgraphs, so a
/// model that needs several is refused once with the whole list rather than one op at a time.
enum UnsupportedOperators {
    /// Throws one `ONNXLoadError` listing every unsupported (op, domain, opset) when there are two or
    /// more; a single one is left to the graph builder, whose error names the node.
    static func check(_ graph: Onnx_GraphProto, opsets: OpsetTable) throws(ONNXLoadError) {
        // An opset import newer than Tandem knows is one model-level problem, which the graph
        // builder reports with the node that first needs it.
        for (domain, version) in opsets.versions {
            if let newest = OpsetTable.newestSupported[domain], version > newest { return }
        }
        var seen = Set<OperatorKey>()
        var problems: [(key: OperatorKey, reason: String)] = []
        var unknown = false
        func walk(_ g: Onnx_GraphProto) {
            for node in g.node {
                let key = OperatorKey(domain: OpsetTable.normalize(node.domain), opType: node.opType)
                if seen.insert(key).inserted,
                    let reason = OperatorSupport.problem(domain: key.domain, opType: key.opType, opset: opsets.versions[key.domain])
                {
                    problems.append((key, reason))
                    if OperatorRegistry.schema(domain: key.domain, opType: key.opType) == nil { unknown = true }
                }
                for a in node.attribute {
                    if a.hasG { walk(a.g) }
                    for sub in a.graphs { walk(sub) }
                }
            }
        }
        walk(graph)
        guard problems.count >= 2 else { return }
        let list = problems.map { p in
            let opset = opsets.versions[p.key.domain].map { " opset \($0)" } ?? ""
            return "\(p.key.opType) (\(OpsetTable.display(p.key.domain))\(opset)): \(p.reason)"
        }.joined(separator: "; ")
        throw ONNXLoadError(
            unknown ? .unknownOperator : .unsupportedOpset,
            "the model needs \(problems.count) operators Tandem does not support: \(list)")
    }
}
