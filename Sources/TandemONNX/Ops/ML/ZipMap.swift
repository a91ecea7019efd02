/// `ZipMap` (ai.onnx.ml 1): turns `[N, K]` float scores into a sequence of N maps keyed by
/// `classlabels_int64s` or `classlabels_strings` (exactly one list, length K).
struct ZipMapKernel: Kernel {
    let labels: ModelSignature.ClassLabels

    static let schema = OperatorSchema(opType: "ZipMap", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float])
        guard let labels = try ModelSignature.ClassLabels.read(ctx.attributes, ints: "classlabels_int64s", strings: "classlabels_strings") else {
            throw BuildError(.invalidAttribute, "one of 'classlabels_int64s' or 'classlabels_strings' is required")
        }
        if let k = ctx.inputShape(0)?.last ?? nil, k != labels.count {
            throw BuildError(.typeMismatch, "the input has \(k) columns but there are \(labels.count) labels")
        }
        return BuiltKernel(kernel: ZipMapKernel(labels: labels), outputTypes: [.mapSequence(key: labels.elementType)], role: .zipMap(labels: labels))
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        guard case .float(let values) = t.data else { throw KernelError("expects tensor(float), got tensor(\(t.elementType))") }
        guard t.shape.count <= 2 else { throw KernelError("expects a [N, K] input, got \(t.shape)") }
        let (rows, columns) = t.rowsAndColumns
        guard columns == labels.count else {
            throw KernelError("the input has \(columns) columns but there are \(labels.count) labels")
        }
        return [.mapSequence(MapSequence(keys: labels.mapKeys, values: values, rows: rows))]
    }
}
