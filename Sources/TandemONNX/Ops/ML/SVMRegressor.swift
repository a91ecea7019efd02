/// `SVMRegressor` (ai.onnx.ml 1): `y = Σ coef[v]·K(x, v) + rho[0]` (`[N, 1]`), or liblinear
/// mode without support vectors; `one_class=1` maps to ±1. onnxruntime ignores `post_transform`.
struct SVMRegressorKernel: Kernel {
    let function: SVMKernelFunction
    let supportVectors: [Float]
    let vectorCount: Int
    let coefficients: [Float]
    let rho: Float
    let features: Int
    let oneClass: Bool

    static let schema = OperatorSchema(opType: "SVMRegressor", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let a = ctx.attributes
        var function = try SVMKernelFunction(a)
        let vectorCount = Int(clamping: try a.int("n_supports") ?? 0)
        let sv = try a.floats("support_vectors") ?? []
        let coefficients = try a.requiredFloats("coefficients")
        let rho = try a.requiredFloats("rho")
        let oneClass = (try a.int("one_class") ?? 0) != 0
        _ = try PostTransform(name: a.string("post_transform") ?? "NONE")
        guard !coefficients.isEmpty, !rho.isEmpty else { throw BuildError(.invalidAttribute, "'coefficients' and 'rho' must not be empty") }
        guard vectorCount >= 0 else { throw BuildError(.invalidAttribute, "n_supports is negative") }
        let features: Int
        if vectorCount > 0 {
            guard sv.count % vectorCount == 0, !sv.isEmpty else { throw BuildError(.invalidAttribute, "'support_vectors' (\(sv.count)) is not a multiple of n_supports=\(vectorCount)") }
            guard coefficients.count >= vectorCount else { throw BuildError(.invalidAttribute, "'coefficients' needs n_supports=\(vectorCount) values") }
            features = sv.count / vectorCount
        } else {
            features = coefficients.count
            function.kind = .linear
        }
        if let c = ctx.inputShape(0)?.last ?? nil, c != features {
            throw BuildError(.typeMismatch, "the model expects \(features) features but the input has \(c)")
        }
        let rows = ctx.inputShape(0)?.first ?? nil
        return BuiltKernel(
            kernel: SVMRegressorKernel(function: function, supportVectors: sv, vectorCount: vectorCount, coefficients: coefficients,
                                       rho: rho[0], features: features, oneClass: oneClass),
            outputTypes: [.tensor(.float, shape: [rows, 1])], role: .regressor)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let (x, rows, columns, _) = try Inputs.floatMatrix(inputs)
        guard columns == features else { throw KernelError("input has \(columns) features, the model expects \(features)") }
        var y: [Float]
        if vectorCount > 0 {
            let kernels = function.evaluate(x, rows: rows, features: features, vectors: supportVectors, vectorCount: vectorCount)
            y = [Float](repeating: 0, count: rows)
            for r in 0..<rows {
                var s: Float = 0
                for v in 0..<vectorCount { s += kernels[r * vectorCount + v] * coefficients[v] }
                y[r] = s + rho
            }
        } else {
            y = function.evaluate(x, rows: rows, features: features, vectors: coefficients, vectorCount: 1, linearConstant: rho)
        }
        if oneClass { for i in y.indices { y[i] = y[i] > 0 ? 1 : -1 } }
        return [.tensor(Tensor(shape: [rows, 1], data: .float(y)))]
    }
}
