/// The element-wise, logic, activation, reduction, search and cast operators of the default domain.
enum MathOperators {
    static let schemas: [OperatorSchema] = binary + unary + activations + reductions + [
        CastKernel.schema, CastKernel.likeSchema, ClipKernel.schema, WhereKernel.schema,
        VariadicKernel.schema("Max", [6, 8, 12, 13], .max), VariadicKernel.schema("Min", [6, 8, 12, 13], .min),
        VariadicKernel.schema("Sum", [6, 8, 13], .sum), VariadicKernel.schema("Mean", [6, 8, 13], .mean),
        PredicateKernel.schema("IsNaN", [9, 13, 20], .isNaN),
        PredicateKernel.schema("IsInf", [10, 20], .isInf(negative: true, positive: true)),
        PredicateKernel.schema("Not", [1], .not),
        SoftmaxKernel.schema("Softmax", .softmax), SoftmaxKernel.schema("LogSoftmax", .logSoftmax),
        SoftmaxKernel.schema("Hardmax", .hardmax),
        ArgExtremumKernel.schema("ArgMax", findMax: true), ArgExtremumKernel.schema("ArgMin", findMax: false),
        CumSumKernel.schema, TopKKernel.schema,
    ]

    static let binary: [OperatorSchema] = [
        BinaryKernel.schema("Add", [7, 13, 14], .add), BinaryKernel.schema("Sub", [7, 13, 14], .sub),
        BinaryKernel.schema("Mul", [7, 13, 14], .mul), BinaryKernel.schema("Div", [7, 13, 14], .div),
        BinaryKernel.schema("Mod", [10, 13], .mod(fmod: false)), BinaryKernel.schema("Pow", [7, 12, 13, 15], .pow),
        BinaryKernel.schema("PRelu", [7, 9, 16], .prelu),
        BinaryKernel.schema("Equal", [7, 11, 13, 19], .equal),
        BinaryKernel.schema("Less", [7, 9, 13], .less), BinaryKernel.schema("Greater", [7, 9, 13], .greater),
        BinaryKernel.schema("LessOrEqual", [12, 16], .lessOrEqual),
        BinaryKernel.schema("GreaterOrEqual", [12, 16], .greaterOrEqual),
        BinaryKernel.schema("And", [7], .and), BinaryKernel.schema("Or", [7], .or), BinaryKernel.schema("Xor", [7], .xor),
    ]

    static let unary: [OperatorSchema] = [
        UnaryKernel.schema("Abs", [6, 13], .abs), UnaryKernel.schema("Neg", [6, 13], .neg),
        UnaryKernel.schema("Sign", [9, 13], .sign), UnaryKernel.schema("Relu", [6, 13, 14], .relu),
        UnaryKernel.schema("Ceil", [6, 13], .ceil), UnaryKernel.schema("Floor", [6, 13], .floor),
        UnaryKernel.schema("Round", [11, 22], .round), UnaryKernel.schema("Sqrt", [6, 13], .sqrt),
        UnaryKernel.schema("Reciprocal", [6, 13], .reciprocal), UnaryKernel.schema("Exp", [6, 13], .exp),
        UnaryKernel.schema("Log", [6, 13], .log), UnaryKernel.schema("Erf", [9, 13], .erf),
        UnaryKernel.schema("Sin", [7, 22], .sin), UnaryKernel.schema("Cos", [7, 22], .cos),
        UnaryKernel.schema("Tan", [7, 22], .tan), UnaryKernel.schema("Asin", [7, 22], .asin),
        UnaryKernel.schema("Acos", [7, 22], .acos), UnaryKernel.schema("Atan", [7, 22], .atan),
        UnaryKernel.schema("Sinh", [9, 22], .sinh), UnaryKernel.schema("Cosh", [9, 22], .cosh),
        UnaryKernel.schema("Tanh", [6, 13], .tanh), UnaryKernel.schema("Asinh", [9, 22], .asinh),
        UnaryKernel.schema("Acosh", [9, 22], .acosh), UnaryKernel.schema("Atanh", [9, 22], .atanh),
    ]

    static let activations: [OperatorSchema] = [
        UnaryKernel.schema("Sigmoid", [6, 13], .sigmoid), UnaryKernel.schema("Softplus", [1, 22], .softplus),
        UnaryKernel.schema("Softsign", [1, 22], .softsign), UnaryKernel.schema("Mish", [18, 22], .mish),
        UnaryKernel.schema("HardSwish", [14, 22], .hardSwish),
        UnaryKernel.schema("Elu", [6, 22]) { ctx throws(BuildError) in .elu(alpha: try ctx.floatAttribute("alpha", 1)) },
        UnaryKernel.schema("Celu", [12]) { ctx throws(BuildError) in .celu(alpha: try ctx.floatAttribute("alpha", 1)) },
        UnaryKernel.schema("Selu", [6, 22]) { ctx throws(BuildError) in
            .selu(alpha: try ctx.floatAttribute("alpha", 1.67326319217681884765625),
                  gamma: try ctx.floatAttribute("gamma", 1.05070102214813232421875))
        },
        UnaryKernel.schema("LeakyRelu", [6, 16]) { ctx throws(BuildError) in .leakyRelu(alpha: try ctx.floatAttribute("alpha", 0.01)) },
        UnaryKernel.schema("HardSigmoid", [6, 22]) { ctx throws(BuildError) in
            .hardSigmoid(alpha: try ctx.floatAttribute("alpha", 0.2), beta: try ctx.floatAttribute("beta", 0.5))
        },
        UnaryKernel.schema("ThresholdedRelu", [10, 22]) { ctx throws(BuildError) in
            .thresholdedRelu(alpha: try ctx.floatAttribute("alpha", 1))
        },
        UnaryKernel.schema("Shrink", [9]) { ctx throws(BuildError) in
            .shrink(bias: try ctx.floatAttribute("bias", 0), lambd: try ctx.floatAttribute("lambd", 0.5))
        },
        UnaryKernel.schema("Gelu", [20]) { ctx throws(BuildError) in
            switch try ctx.attributes.string("approximate") ?? "none" {
            case "none": return .gelu(tanh: false)
            case "tanh": return .gelu(tanh: true)
            case let other: throw BuildError(.invalidAttribute, "attribute 'approximate' must be \"none\" or \"tanh\", got \"\(other)\"")
            }
        },
    ]

    static let reductions: [OperatorSchema] = [
        ReduceKernel.schema("ReduceSum", [1, 11, 13], .sum),
        ReduceKernel.schema("ReduceMax", [1, 11, 12, 13, 18, 20], .max),
        ReduceKernel.schema("ReduceMin", [1, 11, 12, 13, 18, 20], .min),
        ReduceKernel.schema("ReduceMean", [1, 11, 13, 18], .mean),
        ReduceKernel.schema("ReduceProd", [1, 11, 13, 18], .prod),
        ReduceKernel.schema("ReduceSumSquare", [1, 11, 13, 18], .sumSquare),
        ReduceKernel.schema("ReduceL1", [1, 11, 13, 18], .l1),
        ReduceKernel.schema("ReduceL2", [1, 11, 13, 18], .l2),
        ReduceKernel.schema("ReduceLogSum", [1, 11, 13, 18], .logSum),
        ReduceKernel.schema("ReduceLogSumExp", [1, 11, 13, 18], .logSumExp),
    ]
}
