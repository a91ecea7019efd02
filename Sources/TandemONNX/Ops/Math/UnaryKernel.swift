/// One kernel for every element-wise unary math op and activation: float and double always,
/// and the integer types for Abs, Neg, Sign, Relu and Shrink. Shape and type are unchanged.
struct UnaryKernel: Kernel {
    let operation: UnaryOperation

    /// A schema whose attributes are read by `make` (default: none).
    static func schema(_ op: String, _ versions: [Int64],
                       _ make: @escaping @Sendable (NodeContext) throws(BuildError) -> UnaryOperation) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: versions, inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            let operation = try make(ctx)
            try ctx.requireInput(0, oneOf: operation.acceptsIntegers ? ElementType.numbers : ElementType.floating)
            return BuiltKernel(kernel: UnaryKernel(operation: operation), outputTypes: [ctx.inputTypes[0] ?? .unknown])
        }
    }

    /// A schema for an op without attributes.
    static func schema(_ op: String, _ versions: [Int64], _ operation: UnaryOperation) -> OperatorSchema {
        schema(op, versions) { _ throws(BuildError) in operation }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        let data: TensorData
        switch t.data {
        case .float(let v): data = .float(Self.fastFloat(operation, v) ?? operation.floating(v))
        case .double(let v): data = .double(operation.floating(v))
        case .int64(let v): data = try integer(v)
        case .int32(let v): data = try integer(v)
        case .int8(let v): data = try integer(v)
        case .uint8(let v): data = try integer(v)
        case .bool, .string: throw KernelError("expects a numeric tensor, got tensor(\(t.elementType))")
        }
        return [.tensor(Tensor(shape: t.shape, data: data))]
    }

    /// Loops the optimiser vectorises for the float ops MLPs run over whole batches (same values
    /// as `UnaryOperation.floating`); `nil` for the other ops.
    static func fastFloat(_ operation: UnaryOperation, _ v: [Float]) -> [Float]? {
        switch operation {
        case .erf: return VectorErf.erf(v)
        case .relu:
            var out = v
            var s = out.mutableSpan
            for i in s.indices {
                let x = s[i]
                s[i] = x < 0 ? 0 : x
            }
            return out
        default: return nil
        }
    }

    private func integer<T: ArithmeticScalar & FixedWidthInteger>(_ v: [T]) throws(KernelError) -> TensorData {
        guard let r = operation.integer(v) else { throw KernelError("expects float or double, got tensor(\(T.elementType))") }
        return T.wrap(r)
    }
}

/// Reading an activation's float attributes with their ONNX defaults.
extension NodeContext {
    func floatAttribute(_ name: String, _ defaultValue: Float) throws(BuildError) -> Double {
        Double(try attributes.float(name) ?? defaultValue)
    }
}
