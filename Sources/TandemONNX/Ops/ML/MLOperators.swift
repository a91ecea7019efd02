/// The `ai.onnx.ml` operators.
enum MLOperators {
    static let schemas: [OperatorSchema] = [
        ArrayFeatureExtractorKernel.schema, BinarizerKernel.schema, CastMapKernel.schema,
        CategoryMapperKernel.schema, DictVectorizerKernel.schema, FeatureVectorizerKernel.schema,
        ImputerKernel.schema, LabelEncoderKernel.schema, LinearClassifierKernel.schema,
        LinearRegressorKernel.schema, NormalizerKernel.schema, OneHotEncoderKernel.schema,
        ScalerKernel.schema, SVMClassifierKernel.schema, SVMRegressorKernel.schema,
        TreeEnsembleKernel.schema, TreeEnsembleClassifierKernel.schema,
        TreeEnsembleRegressorKernel.schema, ZipMapKernel.schema,
    ]
}
