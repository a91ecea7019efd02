/// `LinearRegressor` (ai.onnx.ml 1): `Y[N, targets] = X · Wᵀ + b`, then `post_transform`.
struct LinearRegressorKernel: Kernel {
    let weights: [Float]
    let intercepts: [Float]
    let targets: Int
    let features: Int
    let transform: PostTransform

    static let schema = OperatorSchema(opType: "LinearRegressor", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let weights = try ctx.attributes.requiredFloats("coefficients")
        let intercepts = try ctx.attributes.floats("intercepts") ?? []
        let targets = Int(try ctx.attributes.int("targets") ?? 1)
        let transform = try PostTransform(name: ctx.attributes.string("post_transform") ?? "NONE")
        guard targets > 0, !weights.isEmpty, weights.count % targets == 0 else {
            throw BuildError(.invalidAttribute, "'coefficients' has \(weights.count) values, not a multiple of targets=\(targets)")
        }
        guard intercepts.isEmpty || intercepts.count == targets else {
            throw BuildError(.invalidAttribute, "'intercepts' has \(intercepts.count) values but targets=\(targets)")
        }
        let features = weights.count / targets
        if let c = ctx.inputShape(0)?.last ?? nil, c != features {
            throw BuildError(.typeMismatch, "coefficients expect \(features) features but the input has \(c)")
        }
        let rows = ctx.inputShape(0)?.first ?? nil
        return BuiltKernel(
            kernel: LinearRegressorKernel(weights: weights, intercepts: intercepts, targets: targets, features: features, transform: transform),
            outputTypes: [.tensor(.float, shape: [rows, targets])], role: .regressor)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns == features else { throw KernelError("input has \(columns) features, the model expects \(features)") }
        var y = LinearMath.scores(x, rows: rows, columns: columns, weights: weights, intercepts: intercepts, targets: targets)
        if transform != .none {
            transform.applyRows(&y, rows: rows, width: targets)
        }
        return [.tensor(Tensor(shape: [rows, targets], data: .float(y)))]
    }
}
