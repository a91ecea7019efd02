/// Converts `TypeProto` / `ValueInfoProto` declarations into `ValueType`.
enum TypeDecoding {
    static func valueType(_ type: Onnx_TypeProto) -> ValueType {
        switch type.value {
        case .tensorType(let t)?:
            let elem = ElementType(rawValue: t.elemType)
            let shape: [Int?]? = t.hasShape ? t.shape.dim.map(dimension) : nil
            return .tensor(elem, shape: shape)
        case .sequenceType(let s)?:
            if case .mapType(let m)? = s.elemType.value, let key = ElementType(rawValue: m.keyType) {
                return .mapSequence(key: key)
            }
            return .unknown
        default:
            return .unknown
        }
    }

    /// The declared type in words, naming element types Tandem does not run (`tensor(float16)[?,3]`).
    static func describe(_ type: Onnx_TypeProto) -> String {
        switch type.value {
        case .tensorType(let t)?:
            let dims = t.hasShape ? "[" + t.shape.dim.map { d -> String in
                if case .dimValue(let v)? = d.value { return String(v) }
                return "?"
            }.joined(separator: ",") + "]" : ""
            return "tensor(\(ElementTypeNames.name(t.elemType)))\(dims)"
        case .sequenceType(let s)?:
            if case .mapType(let m)? = s.elemType.value {
                return "seq(map(\(ElementTypeNames.name(m.keyType)),\(describe(m.valueType))))"
            }
            return "seq(\(describe(s.elemType)))"
        case .mapType(let m)?:
            return "map(\(ElementTypeNames.name(m.keyType)),\(describe(m.valueType)))"
        default:
            return "unknown"
        }
    }

    private static func dimension(_ d: Onnx_TensorShapeProto.Dimension) -> Int? {
        if case .dimValue(let v)? = d.value, v >= 0, v <= Int64(Int32.max) { return Int(v) }
        return nil
    }
}
