/// Typed, checked access to a node's attributes. Every getter fails with
/// `.attributeType` when the attribute exists with another type, so a kernel never
/// silently reads the wrong field.
struct NodeAttributes {
    /// ONNX `AttributeProto.AttributeType` numbers.
    enum Kind: Int32, CustomStringConvertible {
        case undefined = 0, float = 1, int = 2, string = 3, tensor = 4, graph = 5
        case floats = 6, ints = 7, strings = 8, tensors = 9, graphs = 10
        case sparseTensor = 11, sparseTensors = 12, typeProto = 13, typeProtos = 14

        var description: String {
            switch self {
            case .undefined: "UNDEFINED"
            case .float: "FLOAT"
            case .int: "INT"
            case .string: "STRING"
            case .tensor: "TENSOR"
            case .graph: "GRAPH"
            case .floats: "FLOATS"
            case .ints: "INTS"
            case .strings: "STRINGS"
            case .tensors: "TENSORS"
            case .graphs: "GRAPHS"
            case .sparseTensor: "SPARSE_TENSOR"
            case .sparseTensors: "SPARSE_TENSORS"
            case .typeProto: "TYPE_PROTO"
            case .typeProtos: "TYPE_PROTOS"
            }
        }
    }

    private let byName: [String: Onnx_AttributeProto]

    init(_ attributes: [Onnx_AttributeProto]) throws(BuildError) {
        var map: [String: Onnx_AttributeProto] = [:]
        for a in attributes {
            if map[a.name] != nil { throw BuildError(.invalidAttribute, "attribute '\(a.name)' appears twice") }
            if a.hasRefAttrName { throw BuildError(.invalidAttribute, "attribute '\(a.name)' refers to a function attribute; functions are not supported") }
            map[a.name] = a
        }
        byName = map
    }

    /// The attribute names present.
    var names: Set<String> { Set(byName.keys) }

    func has(_ name: String) -> Bool { byName[name] != nil }

    /// The declared type; files that leave `type` unset (very old exporters) get it inferred from the filled field.
    private func kind(of a: Onnx_AttributeProto) -> Kind? {
        if a.type != 0 { return Kind(rawValue: a.type) }
        if !a.floats.isEmpty { return .floats }
        if !a.ints.isEmpty { return .ints }
        if !a.strings.isEmpty { return .strings }
        if a.hasT { return .tensor }
        if a.hasS { return .string }
        if a.hasI { return .int }
        if a.hasF { return .float }
        return .undefined
    }

    private func fetch(_ name: String, _ expected: Kind) throws(BuildError) -> Onnx_AttributeProto? {
        guard let a = byName[name] else { return nil }
        guard let k = kind(of: a) else {
            throw BuildError(.attributeType, "attribute '\(name)' has unknown attribute type \(a.type); expected \(expected)")
        }
        // An empty list may be written with either list type by some exporters; accept an empty
        // list of another list kind as an empty list of the expected one.
        if k != expected {
            throw BuildError(.attributeType, "attribute '\(name)' must be \(expected), got \(k)")
        }
        return a
    }

    func float(_ name: String) throws(BuildError) -> Float? { try fetch(name, .float)?.f }
    func int(_ name: String) throws(BuildError) -> Int64? { try fetch(name, .int)?.i }
    func string(_ name: String) throws(BuildError) -> String? {
        guard let a = try fetch(name, .string) else { return nil }
        return String(decoding: a.s, as: UTF8.self)
    }
    func floats(_ name: String) throws(BuildError) -> [Float]? { try fetch(name, .floats)?.floats }
    func ints(_ name: String) throws(BuildError) -> [Int64]? { try fetch(name, .ints)?.ints }
    func strings(_ name: String) throws(BuildError) -> [String]? {
        guard let a = try fetch(name, .strings) else { return nil }
        return a.strings.map { String(decoding: $0, as: UTF8.self) }
    }
    func tensor(_ name: String) throws(BuildError) -> Onnx_TensorProto? { try fetch(name, .tensor)?.t }
    func graph(_ name: String) throws(BuildError) -> Onnx_GraphProto? { try fetch(name, .graph)?.g }
    func tensors(_ name: String) throws(BuildError) -> [Onnx_TensorProto]? { try fetch(name, .tensors)?.tensors }

    func requiredFloats(_ name: String) throws(BuildError) -> [Float] {
        guard let v = try floats(name) else { throw BuildError(.invalidAttribute, "required attribute '\(name)' (FLOATS) is missing") }
        return v
    }
    func requiredInts(_ name: String) throws(BuildError) -> [Int64] {
        guard let v = try ints(name) else { throw BuildError(.invalidAttribute, "required attribute '\(name)' (INTS) is missing") }
        return v
    }
    func requiredInt(_ name: String) throws(BuildError) -> Int64 {
        guard let v = try int(name) else { throw BuildError(.invalidAttribute, "required attribute '\(name)' (INT) is missing") }
        return v
    }

    /// Float values from either a FLOATS attribute or its `<name>_as_tensor` TENSOR twin (ml v3).
    func floatsOrTensor(_ name: String) throws(BuildError) -> [Double]? {
        if let t = try tensor(name + "_as_tensor") {
            return try TensorDecoding.doubles(t, what: "attribute '\(name)_as_tensor'")
        }
        return try floats(name)?.map { Double($0) }
    }
}
