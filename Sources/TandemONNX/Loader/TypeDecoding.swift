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

    private static func dimension(_ d: Onnx_TensorShapeProto.Dimension) -> Int? {
        if case .dimValue(let v)? = d.value, v >= 0, v <= Int64(Int32.max) { return Int(v) }
        return nil
    }
}
