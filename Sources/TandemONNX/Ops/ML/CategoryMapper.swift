/// `CategoryMapper` (ai.onnx.ml 1): maps strings to int64 through the paired lists
/// `cats_strings` / `cats_int64s` (unknown → `default_int64`, -1), or int64 back to strings
/// (unknown → `default_string`, "_Unused"), chosen by the input type. A repeated category
/// maps to its last partner, as in onnxruntime.
struct CategoryMapperKernel: Kernel {
    let toInt: MLKeyTable
    let toString: MLKeyTable

    static let schema = OperatorSchema(opType: "CategoryMapper", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let strings = try ctx.attributes.strings("cats_strings") ?? []
        let ints = try ctx.attributes.ints("cats_int64s") ?? []
        guard strings.count == ints.count else {
            throw BuildError(.invalidAttribute, "'cats_strings' has \(strings.count) values but 'cats_int64s' has \(ints.count); they must pair up")
        }
        let defaultInt = try ctx.attributes.int("default_int64") ?? -1
        let defaultString = try ctx.attributes.string("default_string") ?? "_Unused"
        try ctx.requireInput(0, oneOf: [.string, .int64])
        let kernel = CategoryMapperKernel(
            toInt: MLKeyTable(keys: try MLKeyIndex(.string(strings), lastWins: true, what: "cats_strings"), values: .int64(ints + [defaultInt])),
            toString: MLKeyTable(keys: try MLKeyIndex(.int64(ints), lastWins: true, what: "cats_int64s"), values: .string(strings + [defaultString])))
        let output: ElementType? = ctx.inputElement(0).map { $0 == .string ? .int64 : .string }
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(output, shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        switch x.elementType {
        case .string: return [.tensor(try toInt.lookup(x))]
        case .int64: return [.tensor(try toString.lookup(x))]
        default: throw KernelError("expects tensor(string) or tensor(int64), got tensor(\(x.elementType))")
        }
    }
}
