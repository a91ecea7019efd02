/// `LabelEncoder` (ai.onnx.ml 1, 2 and 4): maps each input element through a key → value table.
///
/// - Version 1: `classes_strings` maps string → its index (int64, `default_int64`, -1) or
///   int64 index → string (`default_string`, "_Unused"), chosen by the input type.
/// - Version 2: one of `keys_strings|int64s|floats` and one of `values_strings|int64s|floats`
///   of equal length; defaults `default_string` ("_Unused"), `default_int64` (-1),
///   `default_float` (-0.0).
/// - Version 4: also `keys_tensor` / `values_tensor` (string, int64, int32, float or double) and
///   `default_tensor` (one element of the values' type).
///
/// On duplicate keys the first wins (onnxruntime's `emplace`), except version 1 where the last
/// class with a name wins (onnxruntime's assignment). Float keys match NaN to NaN.
struct LabelEncoderKernel: Kernel {
    /// The tables a node may use, picked by the run-time input type (two only for version 1).
    let tables: [MLKeyTable]

    static let schema = OperatorSchema(opType: "LabelEncoder", domain: OpsetTable.mlDomain, versions: [1, 2, 4], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let tables = ctx.sinceVersion == 1 ? try version1Tables(ctx.attributes) : [try table(ctx.attributes, tensors: ctx.sinceVersion >= 4)]
        try ctx.requireInput(0, oneOf: Set(tables.map(\.keys.inputType)))
        var output: ElementType? = nil
        if let e = ctx.inputElement(0) {
            output = tables.first { $0.keys.inputType == e }?.values.elementType
        } else if tables.count == 1 {
            output = tables[0].values.elementType
        }
        return BuiltKernel(kernel: LabelEncoderKernel(tables: tables), outputTypes: [.tensor(output, shape: ctx.inputShape(0))])
    }

    static func version1Tables(_ a: NodeAttributes) throws(BuildError) -> [MLKeyTable] {
        let classes = try a.strings("classes_strings") ?? []
        let defaultInt = try a.int("default_int64") ?? -1
        let defaultString = try a.string("default_string") ?? "_Unused"
        let indexes = (0..<Int64(classes.count)).map { $0 }
        return [
            MLKeyTable(keys: try MLKeyIndex(.string(classes), lastWins: true, what: "classes_strings"), values: .int64(indexes + [defaultInt])),
            MLKeyTable(keys: try MLKeyIndex(.int64(indexes), lastWins: false, what: "classes_strings"), values: .string(classes + [defaultString])),
        ]
    }

    static func table(_ a: NodeAttributes, tensors: Bool) throws(BuildError) -> MLKeyTable {
        let keys = try oneList(a, "keys", tensors: tensors)
        let values = try oneList(a, "values", tensors: tensors)
        guard keys.count == values.count else {
            throw BuildError(.invalidAttribute, "there are \(keys.count) keys but \(values.count) values; they must have the same length")
        }
        let fallback = try defaultValue(a, values.elementType, tensors: tensors)
        guard let table = values.mlAppending(fallback) else {
            throw BuildError(.invalidAttribute, "the default has type \(fallback.elementType) but the values have type \(values.elementType)")
        }
        return MLKeyTable(keys: try MLKeyIndex(keys, lastWins: false, what: "the keys"), values: table)
    }

    /// Exactly one of `<prefix>_strings`, `_int64s`, `_floats` (and `_tensor` from version 4).
    static func oneList(_ a: NodeAttributes, _ prefix: String, tensors: Bool) throws(BuildError) -> TensorData {
        var found: [(String, TensorData)] = []
        if let v = try a.strings(prefix + "_strings") { found.append((prefix + "_strings", .string(v))) }
        if let v = try a.ints(prefix + "_int64s") { found.append((prefix + "_int64s", .int64(v))) }
        if let v = try a.floats(prefix + "_floats") { found.append((prefix + "_floats", .float(v))) }
        if tensors, let t = try a.tensor(prefix + "_tensor") {
            let tensor = try TensorDecoding.tensor(t, what: "attribute '\(prefix)_tensor'")
            guard [.string, .int64, .int32, .float, .double].contains(tensor.elementType) else {
                throw BuildError(.invalidAttribute, "attribute '\(prefix)_tensor' has element type \(tensor.elementType); expected string, int64, int32, float or double")
            }
            found.append((prefix + "_tensor", tensor.data))
        }
        // An empty list next to a filled one is an exporter's placeholder; drop it.
        if found.count > 1 { found.removeAll { $0.1.count == 0 } }
        guard found.count == 1 else {
            let names = found.map(\.0).joined(separator: ", ")
            throw BuildError(.invalidAttribute, found.isEmpty ? "one '\(prefix)_*' attribute is required" : "only one '\(prefix)_*' attribute may be set, got \(names)")
        }
        return found[0].1
    }

    static func defaultValue(_ a: NodeAttributes, _ type: ElementType, tensors: Bool) throws(BuildError) -> TensorData {
        if tensors, let t = try a.tensor("default_tensor") {
            let tensor = try TensorDecoding.tensor(t, what: "attribute 'default_tensor'")
            guard tensor.count == 1 else {
                throw BuildError(.invalidAttribute, "attribute 'default_tensor' must hold one value, got \(tensor.count)")
            }
            return tensor.data
        }
        switch type {
        case .string: return .string([try a.string("default_string") ?? "_Unused"])
        case .int64: return .int64([try a.int("default_int64") ?? -1])
        case .int32: return .int32([Int32(clamping: try a.int("default_int64") ?? -1)])
        case .double: return .double([Double(try a.float("default_float") ?? -0.0)])
        default: return .float([try a.float("default_float") ?? -0.0])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        guard let table = tables.first(where: { $0.keys.inputType == x.elementType }) else {
            let allowed = tables.map { "tensor(\($0.keys.inputType))" }.joined(separator: " or ")
            throw KernelError("expects \(allowed), got tensor(\(x.elementType))")
        }
        return [.tensor(try table.lookup(x))]
    }
}
