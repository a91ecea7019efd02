/// The element-wise, logic, activation, reduction, search and cast operators of the default domain.
enum MathOperators {
    static let schemas: [OperatorSchema] = [
        CastKernel.schema,
        ArithmeticKernel.schema("Add", .add), ArithmeticKernel.schema("Mul", .mul),
        ActivationKernel.schema("Relu", [6, 13, 14], .relu), ActivationKernel.schema("Tanh", [6, 13], .tanh),
        SoftmaxKernel.schema, ArgMaxKernel.schema,
    ]
}
