import Foundation

/// `CastMap` (ai.onnx.ml 1): turns a map with int64 keys into a `[1, n]` tensor in ascending key
/// order, cast by `cast_to` (TO_FLOAT default, TO_INT64, TO_STRING).
///
/// `map_form` DENSE (default) writes every value (n = map size); SPARSE writes position `key`
/// for keys in `0..<max_map` (default 1), pads the rest (0, or "0.f" for strings) and ignores
/// larger keys; a negative key fails the run. As in onnxruntime: float → string prints six
/// decimals (`%f`), string → number parses the leading number and fails when there is none,
/// float → int64 truncates toward zero (saturating here).
struct CastMapKernel: Kernel {
    enum Target: Sendable { case float, int64, string }
    let target: Target
    /// `nil` for DENSE, else `max_map`.
    let sparseWidth: Int?

    static let schema = OperatorSchema(opType: "CastMap", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try MLMapInput.requireMap(ctx)
        let target: Target
        switch try ctx.attributes.string("cast_to") ?? "TO_FLOAT" {
        case "TO_FLOAT": target = .float
        case "TO_INT64": target = .int64
        case "TO_STRING": target = .string
        case let other: throw BuildError(.invalidAttribute, "cast_to '\(other)' is not one of TO_FLOAT, TO_INT64, TO_STRING")
        }
        let maxMap = try ctx.attributes.int("max_map") ?? 1
        var sparse: Int? = nil
        switch try ctx.attributes.string("map_form") ?? "DENSE" {
        case "DENSE": break
        case "SPARSE":
            guard maxMap > 0, maxMap <= Int64(Shapes.maxElements) else {
                throw BuildError(.invalidAttribute, "max_map must be in 1...\(Shapes.maxElements) when map_form is SPARSE, got \(maxMap)")
            }
            sparse = Int(maxMap)
        case let other: throw BuildError(.invalidAttribute, "map_form '\(other)' is not one of DENSE, SPARSE")
        }
        let element: ElementType = switch target {
        case .float: .float
        case .int64: .int64
        case .string: .string
        }
        return BuiltKernel(kernel: CastMapKernel(target: target, sparseWidth: sparse), outputTypes: [.tensor(element, shape: [1, sparse])])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let map = try MLMapInput.map(inputs)
        guard case .int64(let keys) = map.keys else { throw KernelError("expects a map with int64 keys, got string keys") }
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        // Each output position's source entry (nil: padding).
        var sources: [Int?]
        if let width = sparseWidth {
            if let first = order.first, keys[first] < 0 {
                throw KernelError("negative keys are not permitted in a SPARSE map; the smallest key is \(keys[first])")
            }
            sources = [Int?](repeating: nil, count: width)
            for i in order where keys[i] < Int64(width) { sources[Int(keys[i])] = i }
        } else {
            sources = order.map { Optional($0) }
        }
        let data: TensorData
        switch target {
        case .float:
            let v = try floats(map.values)
            data = .float(sources.map { $0.map { v[$0] } ?? 0 })
        case .int64:
            let v = try int64s(map.values)
            data = .int64(sources.map { $0.map { v[$0] } ?? 0 })
        case .string:
            let v = strings(map.values)
            data = .string(sources.map { $0.map { v[$0] } ?? "0.f" })
        }
        return [.tensor(Tensor(shape: [1, sources.count], data: data))]
    }

    private func floats(_ values: TensorData) throws(KernelError) -> [Float] {
        if case .string(let s) = values {
            var out: [Float] = []
            out.reserveCapacity(s.count)
            for text in s {
                guard let d = CastMapParsing.leadingDouble(text) else { throw KernelError("cannot convert '\(text)' to float") }
                out.append(Float(d))
            }
            return out
        }
        return values.doubles?.map { Float($0) } ?? []
    }

    private func int64s(_ values: TensorData) throws(KernelError) -> [Int64] {
        switch values {
        case .string(let s):
            var out: [Int64] = []
            out.reserveCapacity(s.count)
            for text in s {
                guard let v = CastMapParsing.leadingInt64(text) else { throw KernelError("cannot convert '\(text)' to int64") }
                out.append(v)
            }
            return out
        case .int64(let v): return v
        case .float(let v): return v.map { Float.cast($0) }
        default: return (values.doubles ?? []).map { CastKernel.truncateToInt64($0) }
        }
    }

    private func strings(_ values: TensorData) -> [String] {
        switch values {
        case .string(let s): return s
        case .int64(let v): return v.map { String($0) }
        default: return (values.doubles ?? []).map { String(format: "%f", $0) }
        }
    }
}

private extension Float {
    /// Truncation toward zero, saturating (onnxruntime's static_cast is undefined out of range).
    static func cast(_ x: Float) -> Int64 {
        if x.isNaN { return 0 }
        if x >= 9.223372036854775807e18 { return .max }
        if x <= -9.223372036854775808e18 { return .min }
        return Int64(x.rounded(.towardZero))
    }
}

/// `std::stof` / `std::stoll`-style parsing: leading whitespace, then the longest number prefix
/// (of the first 400 bytes, so a long string cannot make parsing quadratic).
enum CastMapParsing {
    static func leadingDouble(_ text: String) -> Double? {
        let chars = Array(text.drop { $0.isWhitespace }.utf8.prefix(400))
        var end = chars.count
        while end > 0 {
            if let d = Double(String(decoding: chars[0..<end], as: UTF8.self)) { return d }
            end -= 1
        }
        return nil
    }

    static func leadingInt64(_ text: String) -> Int64? {
        let chars = Array(text.drop { $0.isWhitespace }.utf8.prefix(400))
        var end = 0
        if end < chars.count, chars[end] == UInt8(ascii: "-") || chars[end] == UInt8(ascii: "+") { end += 1 }
        while end < chars.count, chars[end] >= UInt8(ascii: "0"), chars[end] <= UInt8(ascii: "9") { end += 1 }
        return Int64(String(decoding: chars[0..<end], as: UTF8.self))
    }
}
