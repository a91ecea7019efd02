/// `Cast` (9, 21): converts between numeric and bool element types; float to integer truncates
/// toward zero, NaN and out-of-range values become the type's minimum (x86 behaviour, no trap).
struct CastKernel: Kernel {
    let target: ElementType

    static let schema = OperatorSchema(opType: "Cast", domain: "", versions: [6, 9, 13, 19, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let to = try ctx.attributes.requiredInt("to")
        guard let target = ElementType(rawValue: Int32(truncatingIfNeeded: to)) else {
            throw BuildError(.invalidAttribute, "attribute 'to' = \(to) is not a supported element type (float, double, int64, int32, bool, string)")
        }
        if let source = ctx.inputElement(0), (source == .string) != (target == .string) {
            throw BuildError(.typeMismatch, "casting tensor(\(source)) to \(target) is not supported")
        }
        return BuiltKernel(kernel: CastKernel(target: target), outputTypes: [.tensor(target, shape: ctx.inputShape(0))], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        if t.elementType == target { return [.tensor(t)] }
        guard let data = Self.cast(t.data, to: target) else {
            throw KernelError("cannot cast tensor(\(t.elementType)) to \(target)")
        }
        return [.tensor(Tensor(shape: t.shape, data: data))]
    }

    static func cast(_ data: TensorData, to target: ElementType) -> TensorData? {
        switch data {
        case .float(let v): return fromFloating(v.map { Double($0) }, floats: v, to: target)
        case .double(let v): return fromFloating(v, floats: nil, to: target)
        case .int64(let v): return fromIntegers(v, to: target)
        case .int32(let v): return fromIntegers(v.map { Int64($0) }, to: target)
        case .int8(let v): return fromIntegers(v.map { Int64($0) }, to: target)
        case .uint8(let v): return fromIntegers(v.map { Int64($0) }, to: target)
        case .bool(let v): return fromIntegers(v.map { $0 ? 1 : 0 }, to: target)
        case .string(let v): return target == .string ? .string(v) : nil
        }
    }

    private static func fromFloating(_ v: [Double], floats: [Float]?, to target: ElementType) -> TensorData? {
        switch target {
        case .float: return .float(floats ?? v.map { Float($0) })
        case .double: return .double(v)
        case .int64: return .int64(v.map(truncateToInt64))
        case .int32: return .int32(v.map { x in
            (x.isFinite && x > -2_147_483_649 && x < 2_147_483_648) ? Int32(x.rounded(.towardZero)) : Int32.min
        })
        case .int8: return .int8(v.map { Int8(truncatingIfNeeded: truncateToInt64($0)) })
        case .uint8: return .uint8(v.map { UInt8(truncatingIfNeeded: truncateToInt64($0)) })
        case .bool: return .bool(v.map { $0 != 0 })
        case .string: return nil
        }
    }

    private static func fromIntegers(_ v: [Int64], to target: ElementType) -> TensorData? {
        switch target {
        case .float: return .float(v.map { Float($0) })
        case .double: return .double(v.map { Double($0) })
        case .int64: return .int64(v)
        case .int32: return .int32(v.map { Int32(truncatingIfNeeded: $0) })
        case .int8: return .int8(v.map { Int8(truncatingIfNeeded: $0) })
        case .uint8: return .uint8(v.map { UInt8(truncatingIfNeeded: $0) })
        case .bool: return .bool(v.map { $0 != 0 })
        case .string: return nil
        }
    }

    static func truncateToInt64(_ x: Double) -> Int64 {
        (x.isFinite && x >= -9.223372036854775808e18 && x < 9.223372036854775808e18) ? Int64(x.rounded(.towardZero)) : Int64.min
    }
}
