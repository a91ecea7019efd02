/// The linear-algebra and neural-network operators of the default domain.
enum NNOperators {
    static let schemas: [OperatorSchema] = [
        MatMulKernel.schema,
        GemmKernel.schema,
        EinsumKernel.schema,
        ConvKernel.schema,
        PoolKernel.averageSchema,
        PoolKernel.maxSchema,
        GlobalPoolKernel.schema("GlobalAveragePool", average: true),
        GlobalPoolKernel.schema("GlobalMaxPool", average: false),
        BatchNormalizationKernel.schema,
        InstanceNormalizationKernel.schema,
        LayerNormalizationKernel.schema,
        LpNormalizationKernel.schema,
        DropoutKernel.schema,
    ]
}
