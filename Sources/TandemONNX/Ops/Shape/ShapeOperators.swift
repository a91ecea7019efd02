/// The shape and data-movement operators of the default domain.
enum ShapeOperators {
    static let schemas: [OperatorSchema] = [
        IdentityKernel.schema, ReshapeKernel.schema, ConcatKernel.schema, GatherKernel.schema,
    ]
}
