/// The linear-algebra and neural-network operators of the default domain.
enum NNOperators {
    static let schemas: [OperatorSchema] = [
        MatMulKernel.schema,
    ]
}
