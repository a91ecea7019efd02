/// `Imputer` (ai.onnx.ml 1): replaces every element equal to the replaced value with the imputed
/// value of its column. float/double inputs use `imputed_value_floats` / `replaced_value_float`
/// (a NaN replaced value matches NaN elements); int64/int32 inputs use `imputed_value_int64s` /
/// `replaced_value_int64`. The replaced values default to 0. The imputed list has one value per
/// column (the last dimension; the only one of a 1-D input), or one value for all; a list of
/// another length uses its first value everywhere, as onnxruntime does.
struct ImputerKernel: Kernel {
    enum Imputed: Sendable {
        case floats([Float], replaced: Float)
        case ints([Int64], replaced: Int64)
    }
    let imputed: Imputed

    static let schema = OperatorSchema(opType: "Imputer", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let floats = try ctx.attributes.floats("imputed_value_floats") ?? []
        let ints = try ctx.attributes.ints("imputed_value_int64s") ?? []
        let imputed: Imputed
        if !floats.isEmpty, ints.isEmpty {
            try ctx.requireInput(0, oneOf: [.float, .double])
            imputed = .floats(floats, replaced: try ctx.attributes.float("replaced_value_float") ?? 0)
        } else if !ints.isEmpty, floats.isEmpty {
            try ctx.requireInput(0, oneOf: [.int64, .int32])
            imputed = .ints(ints, replaced: try ctx.attributes.int("replaced_value_int64") ?? 0)
        } else {
            throw BuildError(.invalidAttribute, "exactly one of 'imputed_value_floats' or 'imputed_value_int64s' must be given and non-empty")
        }
        return BuiltKernel(kernel: ImputerKernel(imputed: imputed), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    /// Replaces matching elements; `imputed` is indexed by column when it has `columns` values.
    private static func impute<T: Equatable>(_ x: [T], columns: Int, imputed: [T], matches: (T) -> Bool) -> [T] {
        var out = x
        let perColumn = imputed.count == columns && columns > 0
        for i in out.indices where matches(out[i]) {
            out[i] = perColumn ? imputed[i % columns] : imputed[0]
        }
        return out
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        guard !x.shape.isEmpty else { throw KernelError("expects an input of rank 1 or more, got a scalar") }
        let columns = x.shape[x.shape.count - 1]
        let data: TensorData
        switch (imputed, x.data) {
        case (.floats(let v, let r), .float(let a)):
            data = .float(Self.impute(a, columns: columns, imputed: v) { r.isNaN ? $0.isNaN : $0 == r })
        case (.floats(let v, let r), .double(let a)):
            let rd = Double(r)
            data = .double(Self.impute(a, columns: columns, imputed: v.map { Double($0) }) { rd.isNaN ? $0.isNaN : $0 == rd })
        case (.ints(let v, let r), .int64(let a)):
            data = .int64(Self.impute(a, columns: columns, imputed: v) { $0 == r })
        case (.ints(let v, let r), .int32(let a)):
            data = .int32(Self.impute(a, columns: columns, imputed: v.map { Int32(truncatingIfNeeded: $0) }) { Int64($0) == r })
        case (.floats, _):
            throw KernelError("imputed_value_floats needs a float or double input, got tensor(\(x.elementType))")
        case (.ints, _):
            throw KernelError("imputed_value_int64s needs an int64 or int32 input, got tensor(\(x.elementType))")
        }
        return [.tensor(Tensor(shape: x.shape, data: data))]
    }
}
