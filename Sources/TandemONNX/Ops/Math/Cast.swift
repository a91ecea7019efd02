import Foundation

/// `Cast` (6, 9, 13, 19, 21) and `CastLike` (15, 19, 21, the target type is input 1's): every
/// pair among float, double, int64, int32, int8, uint8, bool and string. Float to integer
/// truncates toward zero; NaN and out-of-range values become the type's minimum for int32/int64
/// (x86 behaviour, no trap) and wrap through int64 for int8/uint8. Numbers print as onnxruntime
/// does (`%.8g`, `NaN`, `INF`, `-INF`; bools as 1/0); strings parse as decimal or scientific
/// numbers and `INF`/`NaN` in any case, and a string that is no number fails the run.
/// `saturate` (v19+) only concerns float8 types, so it is accepted and has no effect here.
struct CastKernel: Kernel {
    /// The target type; `nil` for CastLike when input 1's type is known only at run time.
    let target: ElementType?

    static let schema = OperatorSchema(opType: "Cast", domain: "", versions: [6, 9, 13, 19, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let to = try ctx.attributes.requiredInt("to")
        guard let target = ElementType(rawValue: Int32(truncatingIfNeeded: to)) else {
            throw BuildError(.invalidAttribute, "attribute 'to' = \(to) is not a supported element type (float, double, int64, int32, int8, uint8, bool, string)")
        }
        try checkSaturate(ctx)
        try ctx.requireInput(0, oneOf: ElementType.all)
        return BuiltKernel(kernel: CastKernel(target: target), outputTypes: [.tensor(target, shape: ctx.inputShape(0))], role: .passThrough)
    }

    static let likeSchema = OperatorSchema(opType: "CastLike", domain: "", versions: [15, 19, 21], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try checkSaturate(ctx)
        try ctx.requireInput(0, oneOf: ElementType.all)
        try ctx.requireInput(1, oneOf: ElementType.all)
        let target = ctx.inputElement(1)
        return BuiltKernel(kernel: CastKernel(target: target), outputTypes: [.tensor(target, shape: ctx.inputShape(0))], role: .passThrough)
    }

    private static func checkSaturate(_ ctx: NodeContext) throws(BuildError) {
        if let s = try ctx.attributes.int("saturate"), s != 0 && s != 1 {
            throw BuildError(.invalidAttribute, "attribute 'saturate' must be 0 or 1, got \(s)")
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        let target: ElementType
        if let known = self.target { target = known } else { target = try Inputs.tensor(inputs, 1, "target_type").elementType }
        if t.elementType == target { return [.tensor(t)] }
        return [.tensor(Tensor(shape: t.shape, data: try Self.convert(t.data, to: target)))]
    }

    /// `data` converted to `target`, strings included.
    static func convert(_ data: TensorData, to target: ElementType) throws(KernelError) -> TensorData {
        if case .string(let v) = data { return try fromStrings(v, to: target) }
        if target == .string { return .string(toStrings(data)) }
        guard let converted = cast(data, to: target) else {
            throw KernelError("cannot cast tensor(\(data.elementType)) to \(target)")
        }
        return converted
    }

    /// Numbers as onnxruntime prints them.
    static func toStrings(_ data: TensorData) -> [String] {
        func float(_ x: Double) -> String {
            if x.isNaN { return "NaN" }
            if x.isInfinite { return x < 0 ? "-INF" : "INF" }
            return String(format: "%.8g", x)
        }
        switch data {
        case .float(let v): return v.map { float(Double($0)) }
        case .double(let v): return v.map(float)
        case .int64(let v): return v.map { String($0) }
        case .int32(let v): return v.map { String($0) }
        case .int8(let v): return v.map { String($0) }
        case .uint8(let v): return v.map { String($0) }
        case .bool(let v): return v.map { $0 ? "1" : "0" }
        case .string(let v): return v
        }
    }

    /// Strings parsed as numbers, then cast to `target`.
    static func fromStrings(_ v: [String], to target: ElementType) throws(KernelError) -> TensorData {
        if target == .string { return .string(v) }
        var doubles = [Double]()
        doubles.reserveCapacity(v.count)
        var integers: [Int64]? = ElementType.integers.contains(target) ? [] : nil
        for s in v {
            let text = s.trimmingCharacters(in: .whitespaces)
            if integers != nil, let i = Int64(text) {
                integers?.append(i)
                doubles.append(Double(i))
                continue
            }
            guard let d = parseDouble(text) else { throw KernelError("cannot cast string \"\(s)\" to \(target)") }
            integers?.append(truncateToInt64(d))
            doubles.append(d)
        }
        if let integers, let result = cast(.int64(integers), to: target) { return result }
        if target == .float { return .float(doubles.map { Float($0) }) }
        guard let result = cast(.double(doubles), to: target) else { throw KernelError("cannot cast tensor(string) to \(target)") }
        return result
    }

    /// A decimal or scientific number, or INF/+INF/-INF/NaN in any case.
    private static func parseDouble(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: return Double(s)
        }
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
