/// `TreeEnsembleRegressor` (ai.onnx.ml 1, 3; deprecated in 5): SUM/AVERAGE/MIN/MAX of the
/// reached leaves per target, then `base_values`, then `post_transform` (with one target
/// onnxruntime applies only PROBIT).
struct TreeEnsembleRegressorKernel: Kernel {
    let forest: TreeForest<Float>
    let targets: Int
    let aggregate: TreeAggregate
    let baseValues: [Float]
    let transform: PostTransform

    static let schema = OperatorSchema(opType: "TreeEnsembleRegressor", domain: OpsetTable.mlDomain, versions: [1, 3], inputs: 1...1, outputs: 1...1, deprecatedSince: 5) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let targets = Int(try ctx.attributes.int("n_targets") ?? 1)
        guard targets >= 1, targets <= 1 << 20 else { throw BuildError(.invalidAttribute, "n_targets = \(targets) is invalid") }
        let aggregate: TreeAggregate
        switch try ctx.attributes.string("aggregate_function") ?? "SUM" {
        case "SUM": aggregate = .sum
        case "AVERAGE": aggregate = .average
        case "MIN": aggregate = .min
        case "MAX": aggregate = .max
        case let other: throw BuildError(.invalidAttribute, "aggregate_function '\(other)' is not one of SUM, AVERAGE, MIN, MAX")
        }
        let transform = try PostTransform(name: ctx.attributes.string("post_transform") ?? "NONE")
        let baseValues = try ctx.attributes.floats("base_values") ?? []
        let (builder, _, _) = try TreeForestBuilder<Float>.fromV1(ctx.attributes, prefix: "target")
        let forest = try builder.build(targets: targets)
        if let c = ctx.inputShape(0)?.last ?? nil, c < forest.featureCount {
            throw BuildError(.typeMismatch, "nodes read feature \(forest.featureCount - 1) but the input has \(c) columns")
        }
        let rows = ctx.inputShape(0)?.first ?? nil
        return BuiltKernel(
            kernel: TreeEnsembleRegressorKernel(forest: forest, targets: targets, aggregate: aggregate, baseValues: baseValues, transform: transform),
            outputTypes: [.tensor(.float, shape: [rows, targets])], role: .regressor)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns >= forest.featureCount else {
            throw KernelError("input has \(columns) features but the trees read feature \(forest.featureCount - 1)")
        }
        let y = TreeScoring.regress(forest, x, rows: rows, columns: columns, targets: targets, aggregate: aggregate,
                                    baseValues: baseValues, transform: transform)
        return [.tensor(Tensor(shape: [rows, targets], data: .float(y)))]
    }
}

/// The regression finalisation shared by TreeEnsembleRegressor and TreeEnsemble (v5).
enum TreeScoring {
    static func regress<T: BinaryFloatingPoint & Sendable>(
        _ forest: TreeForest<T>, _ x: [T], rows: Int, columns: Int, targets: Int,
        aggregate: TreeAggregate, baseValues: [T], transform: PostTransform
    ) -> [T] {
        var y = [T](repeating: 0, count: rows * targets)
        var has = [Bool](repeating: false, count: rows * targets)
        let trees = T(forest.treeCount)
        let useBase = baseValues.count == targets
        let origin: T = baseValues.count == 1 ? baseValues[0] : 0
        // Sizes: x has rows*columns elements (columns >= featureCount, checked by the caller), y/has rows*targets.
        forest.accumulate(x, rows: rows, columns: columns, targets: targets, aggregate: aggregate, scores: &y, has: &has)
        for r in 0..<rows {
            for t in 0..<targets {
                let i = r * targets + t
                let base: T = targets == 1 ? origin : (useBase ? baseValues[t] : 0)
                switch aggregate {
                case .sum: y[i] = y[i] + base
                case .average: y[i] = y[i] / trees + base
                case .min, .max: y[i] = has[i] ? y[i] + base : base
                }
            }
            if targets == 1 {
                if transform == .probit { y[r] = T(MLMath.probit(Float(y[r]))) }
            } else if transform != .none {
                var row = (0..<targets).map { Float(y[r * targets + $0]) }
                transform.apply(&row)
                for t in 0..<targets { y[r * targets + t] = T(row[t]) }
            }
        }
        return y
    }
}
