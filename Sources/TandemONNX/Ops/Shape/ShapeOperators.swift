/// The shape and data-movement operators of the default domain.
enum ShapeOperators {
    static let schemas: [OperatorSchema] = [
        IdentityKernel.schema, ReshapeKernel.schema, ConcatKernel.schema, GatherKernel.schema,
        ConstantKernel.schema, ConstantOfShapeKernel.schema, ShapeKernel.schema, SizeKernel.schema,
        TransposeKernel.schema, SqueezeKernel.schema, UnsqueezeKernel.schema, FlattenKernel.schema,
        SliceKernel.schema, SplitKernel.schema, TileKernel.schema, ExpandKernel.schema, PadKernel.schema,
        GatherElementsKernel.schema, GatherNDKernel.schema, ScatterElementsKernel.schema, ScatterNDKernel.schema,
        CompressKernel.schema, NonZeroKernel.schema, OneHotKernel.schema, EyeLikeKernel.schema,
        RangeKernel.schema, TriluKernel.schema, UniqueKernel.schema,
    ]
}
