/// Every operator Tandem implements, by domain (`""` = ai.onnx, `ai.onnx.ml`) and op type.
enum OperatorRegistry {
    static let schemas: [String: [String: OperatorSchema]] = {
        let all: [OperatorSchema] = [
            // ai.onnx
            CastKernel.schema, IdentityKernel.schema, MatMulKernel.schema,
            ArithmeticKernel.schema("Add", .add), ArithmeticKernel.schema("Mul", .mul),
            ActivationKernel.schema("Relu", [6, 13, 14], .relu), ActivationKernel.schema("Tanh", [6, 13], .tanh),
            SoftmaxKernel.schema, ArgMaxKernel.schema, ReshapeKernel.schema, ConcatKernel.schema, GatherKernel.schema,
            // ai.onnx.ml
            ArrayFeatureExtractorKernel.schema, LinearClassifierKernel.schema, LinearRegressorKernel.schema,
            NormalizerKernel.schema, OneHotEncoderKernel.schema, ScalerKernel.schema,
            SVMClassifierKernel.schema, SVMRegressorKernel.schema, TreeEnsembleKernel.schema,
            TreeEnsembleClassifierKernel.schema, TreeEnsembleRegressorKernel.schema, ZipMapKernel.schema,
        ]
        var table: [String: [String: OperatorSchema]] = [:]
        for s in all { table[s.domain, default: [:]][s.opType] = s }
        return table
    }()
}
