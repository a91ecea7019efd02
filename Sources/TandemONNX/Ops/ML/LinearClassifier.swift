/// `LinearClassifier` (ai.onnx.ml 1) with onnxruntime's rules: E = len(intercepts) score rows,
/// labels from the raw scores (first maximum; E == 1: labels[1] iff s > 0), then the
/// post-transform; one score row expands to `[1 - p, p]`.
struct LinearClassifierKernel: Kernel {
    let weights: [Float]
    let intercepts: [Float]
    let targets: Int
    let features: Int
    let labels: ModelSignature.ClassLabels
    let transform: PostTransform

    static let schema = OperatorSchema(opType: "LinearClassifier", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 2...2) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let weights = try ctx.attributes.requiredFloats("coefficients")
        let intercepts = try ctx.attributes.floats("intercepts") ?? []
        guard let labels = try ModelSignature.ClassLabels.read(ctx.attributes, ints: "classlabels_ints", strings: "classlabels_strings") else {
            throw BuildError(.invalidAttribute, "one of 'classlabels_ints' or 'classlabels_strings' is required")
        }
        let transform = try PostTransform(name: ctx.attributes.string("post_transform") ?? "NONE")
        _ = try ctx.attributes.int("multi_class")  // type-checked; onnxruntime ignores its value
        let targets = intercepts.isEmpty ? (labels.count == 2 && weights.count % 2 != 0 ? 1 : labels.count) : intercepts.count
        guard targets > 0, !weights.isEmpty, weights.count % targets == 0 else {
            throw BuildError(.invalidAttribute, "'coefficients' has \(weights.count) values, not a multiple of the \(targets) score rows")
        }
        let features = weights.count / targets
        if targets == 1, labels.count != 2 {
            throw BuildError(.invalidAttribute, "one coefficient row needs exactly 2 class labels, got \(labels.count)")
        }
        if targets > 1, labels.count < targets {
            throw BuildError(.invalidAttribute, "\(targets) score rows but only \(labels.count) class labels")
        }
        if let c = ctx.inputShape(0)?.last ?? nil, c != features {
            throw BuildError(.typeMismatch, "coefficients expect \(features) features but the input has \(c)")
        }
        let rows = ctx.inputShape(0)?.first ?? nil
        let kernel = LinearClassifierKernel(weights: weights, intercepts: intercepts, targets: targets, features: features, labels: labels, transform: transform)
        return BuiltKernel(
            kernel: kernel,
            outputTypes: [.tensor(labels.elementType, shape: [rows]), .tensor(.float, shape: [rows, targets == 1 ? 2 : targets])],
            role: .classifier(labels: labels, scoresAreProbabilities: transform.producesProbabilities))
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns == features else { throw KernelError("input has \(columns) features, the model expects \(features)") }
        var scores = LinearMath.scores(x, rows: rows, columns: columns, weights: weights, intercepts: intercepts, targets: targets)
        var positions = [Int](repeating: 0, count: rows)
        if targets == 1 {
            for r in 0..<rows { positions[r] = scores[r] > 0 ? 1 : 0 }
            var z = [Float](repeating: 0, count: rows * 2)
            for r in 0..<rows {
                let (a, b) = BinaryExpansion.complement.columns(scores[r], transform)
                z[2 * r] = a
                z[2 * r + 1] = b
            }
            return [.tensor(labels.tensor(positions)), .tensor(Tensor(shape: [rows, 2], data: .float(z)))]
        }
        for r in 0..<rows {
            var best = 0
            for e in 1..<targets where scores[r * targets + e] > scores[r * targets + best] { best = e }
            positions[r] = best
        }
        transform.applyRows(&scores, rows: rows, width: targets)
        return [.tensor(labels.tensor(positions)), .tensor(Tensor(shape: [rows, targets], data: .float(scores)))]
    }
}
