/// `TreeEnsembleClassifier` (ai.onnx.ml 1, 3; deprecated in 5) with onnxruntime's scoring:
/// float32 sums tree by tree, base values added after aggregation, the binary special cases
/// (`[1-s, s]` and `s > 0.5` for all-positive weights, `[-s, s]` / `s > 0` for mixed signs)
/// and labels taken from the raw scores before the post-transform.
struct TreeEnsembleClassifierKernel: Kernel {
    let forest: TreeForest<Float>
    let labels: ModelSignature.ClassLabels
    let classCount: Int
    let baseValues: [Float]
    let transform: PostTransform
    /// Two labels and every vote for one class id (onnxruntime's `binary_case_`).
    let binaryCase: Bool
    let weightsAllPositive: Bool

    static let schema = OperatorSchema(opType: "TreeEnsembleClassifier", domain: OpsetTable.mlDomain, versions: [1, 3], inputs: 1...1, outputs: 2...2, deprecatedSince: 5) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        guard let labels = try ModelSignature.ClassLabels.read(ctx.attributes, ints: "classlabels_int64s", strings: "classlabels_strings") else {
            throw BuildError(.invalidAttribute, "one of 'classlabels_int64s' or 'classlabels_strings' is required")
        }
        guard labels.count >= 2 else { throw BuildError(.invalidAttribute, "needs at least 2 class labels, got \(labels.count)") }
        let transform = try PostTransform(name: ctx.attributes.string("post_transform") ?? "NONE")
        let baseValues = try ctx.attributes.floats("base_values") ?? []
        let (builder, classIds, weights) = try TreeForestBuilder<Float>.fromV1(ctx.attributes, prefix: "class")
        let forest = try builder.build(targets: labels.count)
        if let c = ctx.inputShape(0)?.last ?? nil, c < forest.featureCount {
            throw BuildError(.typeMismatch, "nodes read feature \(forest.featureCount - 1) but the input has \(c) columns")
        }
        let kernel = TreeEnsembleClassifierKernel(
            forest: forest, labels: labels, classCount: labels.count, baseValues: baseValues, transform: transform,
            binaryCase: labels.count == 2 && Set(classIds).count == 1,
            weightsAllPositive: weights.allSatisfy { $0 >= 0 })
        let rows = ctx.inputShape(0)?.first ?? nil
        // Votes that are all non-negative with no transform are averaged class frequencies (random forests).
        let probabilities = transform.producesProbabilities || (transform == .none && kernel.weightsAllPositive)
        return BuiltKernel(
            kernel: kernel,
            outputTypes: [.tensor(labels.elementType, shape: [rows]), .tensor(.float, shape: [rows, labels.count])],
            role: .classifier(labels: labels, scoresAreProbabilities: probabilities))
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns >= forest.featureCount else {
            throw KernelError("input has \(columns) features but the trees read feature \(forest.featureCount - 1)")
        }
        let k = classCount
        var scores = [Float](repeating: 0, count: rows * k)
        var has = [Bool](repeating: false, count: rows * k)
        var positions = [Int](repeating: 0, count: rows)
        var literal = false
        // Sizes: x has rows*columns elements (columns >= featureCount, checked above), scores/has rows*k.
        forest.accumulate(x, rows: rows, columns: columns, targets: k, aggregate: .sum, scores: &scores, has: &has)
        do {
            var ps = scores.mutableSpan
            var ph = has.mutableSpan
            for r in 0..<rows {
                let (position, isLiteral) = finalize(&ps, &ph, row: r * k)
                positions[r] = position
                literal = literal || isLiteral
            }
        }
        var labelTensor = labels.tensor(positions)
        if literal, case .int64 = labels {
            // onnxruntime answers the two-label, two-class-id case with the literal labels 1 / 0.
            labelTensor = Tensor(shape: [rows], data: .int64(positions.map { Int64($0) }))
        }
        return [.tensor(labelTensor), .tensor(Tensor(shape: [rows, k], data: .float(scores)))]
    }

    /// Turns the summed votes of the row starting at `o` (`classCount` wide) into output scores (in place) and returns the label position,
    /// flagged when onnxruntime would emit the position itself (1/0) instead of the int64 label.
    private func finalize(_ s: inout MutableSpan<Float>, _ h: inout MutableSpan<Bool>, row o: Int) -> (Int, Bool) {
        if classCount > 2 {
            for (c, b) in baseValues.prefix(classCount).enumerated() {
                s[o + c] = h[o + c] ? s[o + c] + b : b
                h[o + c] = true
            }
            var best = -1
            for c in 0..<classCount where h[o + c] && (best < 0 || s[o + c] > s[o + best]) { best = c }
            transform.apply(&s, o..<(o + classCount))
            return (max(best, 0), false)
        }
        // Two classes.
        var single = false  // only one score column survives (it is then expanded to two)
        if baseValues.count == 2 {
            if h[o + 1] {
                s[o + 1] = baseValues[1] + s[o + 0]
                s[o + 0] = -s[o + 1]
            } else {
                s[o + 1] += baseValues[1]
                s[o + 0] += baseValues[0]
            }
        } else if baseValues.count == 1 {
            s[o + 0] += baseValues[0]
            single = !h[o + 1]
        } else {
            single = !h[o + 1]
        }
        let positive: Float = h[o + 1] && !single ? s[o + 1] : (h[o + 0] ? s[o + 0] : 0)
        let label: Int
        var expansion = BinaryExpansion.negate
        if binaryCase {
            if weightsAllPositive {
                label = positive > 0.5 ? 1 : 0
                expansion = .complement
            } else {
                label = positive > 0 ? 1 : 0
            }
        } else {
            label = positive > 0 ? 1 : 0
        }
        if single {
            let (a, b) = expansion.columns(s[o + 0], transform)
            s[o + 0] = a
            s[o + 1] = b
        } else {
            transform.apply(&s, o..<(o + classCount))
        }
        return (label, !binaryCase)
    }
}
