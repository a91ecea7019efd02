/// `Constant` (1, 9, 11, 12, 13, 19, 21): outputs the tensor held by exactly one of its value
/// attributes; the output is known at load time, so its type and shape are exact.
struct ConstantKernel: Kernel {
    let value: Tensor

    static let schema = OperatorSchema(opType: "Constant", domain: "", versions: [1, 9, 11, 12, 13, 19, 21], inputs: 0...0, outputs: 1...1) { ctx throws(BuildError) in
        let tensor = try value(ctx)
        return BuiltKernel(kernel: ConstantKernel(value: tensor), outputTypes: [.tensor(tensor.elementType, shape: tensor.shape.map { $0 })])
    }

    /// Decodes the single value attribute the node sets.
    static func value(_ ctx: NodeContext) throws(BuildError) -> Tensor {
        let a = ctx.attributes
        let known = ["value", "sparse_value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings"]
        let present = known.filter { a.has($0) }
        guard present.count == 1, let name = present.first else {
            throw BuildError(.invalidAttribute, present.isEmpty
                ? "needs one of the attributes \(known.joined(separator: ", "))"
                : "sets several value attributes (\(present.joined(separator: ", "))); exactly one is allowed")
        }
        switch name {
        case "sparse_value":
            throw BuildError(.invalidAttribute, "attribute 'sparse_value' holds a sparse tensor; sparse tensors are not supported")
        case "value":
            guard let proto = try a.tensor("value") else { throw BuildError(.invalidAttribute, "attribute 'value' is empty") }
            return try TensorDecoding.tensor(proto, what: "attribute 'value'")
        case "value_float":
            return Tensor(shape: [], data: .float([try a.float(name) ?? 0]))
        case "value_floats":
            let v = try a.floats(name) ?? []
            return Tensor(shape: [v.count], data: .float(v))
        case "value_int":
            return Tensor(shape: [], data: .int64([try a.int(name) ?? 0]))
        case "value_ints":
            let v = try a.ints(name) ?? []
            return Tensor(shape: [v.count], data: .int64(v))
        case "value_string":
            return Tensor(shape: [], data: .string([try a.string(name) ?? ""]))
        default:
            let v = try a.strings(name) ?? []
            return Tensor(shape: [v.count], data: .string(v))
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] { [.tensor(value)] }
}

/// `ConstantOfShape` (9, 20, 21): a tensor of the shape given by an int64 input, filled with the
/// one-element `value` attribute (float 0 by default).
struct ConstantOfShapeKernel: Kernel {
    let fill: Tensor

    static let schema = OperatorSchema(opType: "ConstantOfShape", domain: "", versions: [9, 20, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.int64])
        var fill = Tensor(shape: [1], data: .float([0]))
        if let proto = try ctx.attributes.tensor("value") {
            fill = try TensorDecoding.tensor(proto, what: "attribute 'value'")
            guard fill.count == 1 else { throw BuildError(.invalidAttribute, "attribute 'value' must hold one element, got \(fill.count)") }
        }
        var shape: [Int?]? = nil
        if let dims = ShapeOpSupport.constantInts(ctx, 0) {
            shape = dims.map { $0 >= 0 ? Int($0) : nil }
        } else if let s = ctx.inputShape(0), s.count == 1, let n = s[0] {
            shape = Array(repeating: nil, count: n)
        }
        return BuiltKernel(kernel: ConstantOfShapeKernel(fill: fill), outputTypes: [.tensor(fill.elementType, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let raw = try ShapeOpSupport.ints(inputs, 0, "shape")
        var shape: [Int] = []
        for d in raw { shape.append(try ShapeOpSupport.dimension(d, "shape \(raw)")) }
        let count = try Shapes.checkedCount(shape)
        let data = try ShapeOpSupport.select(fill.data, [Int](repeating: 0, count: count), fill: nil)
        return [.tensor(Tensor(shape: shape, data: data))]
    }
}
