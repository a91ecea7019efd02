/// `ArgMax` (1, 11, 12, 13): index of the maximum along `axis` (default 0), `keepdims`
/// (default 1), `select_last_index` (v12+, default 0: first maximum). Scans with `>` from
/// index 0 like onnxruntime, so a NaN wins only at index 0.
struct ArgMaxKernel: Kernel {
    let axis: Int
    let keepDims: Bool
    let selectLast: Bool

    static let schema = OperatorSchema(opType: "ArgMax", domain: "", versions: [1, 11, 12, 13], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let axis = Int(try ctx.attributes.int("axis") ?? 0)
        let keep = (try ctx.attributes.int("keepdims") ?? 1) != 0
        let last = ctx.sinceVersion >= 12 ? (try ctx.attributes.int("select_last_index") ?? 0) != 0 : false
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)")
            }
            var out = s
            if keep { out[a] = 1 } else { out.remove(at: a) }
            shape = out
        }
        return BuiltKernel(kernel: ArgMaxKernel(axis: axis, keepDims: keep, selectLast: last), outputTypes: [.tensor(.int64, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        guard let a = Shapes.normalizedAxis(axis, rank: t.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(t.shape)")
        }
        let outer = t.shape[..<a].reduce(1, *), length = t.shape[a], inner = t.shape[(a + 1)...].reduce(1, *)
        guard length > 0 else { throw KernelError("cannot take ArgMax over an empty axis") }
        var shape = t.shape
        if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        let result: [Int64]
        switch t.data {
        case .float(let v): result = Self.argmax(v, outer, length, inner, selectLast)
        case .double(let v): result = Self.argmax(v, outer, length, inner, selectLast)
        case .int64(let v): result = Self.argmax(v, outer, length, inner, selectLast)
        case .int32(let v): result = Self.argmax(v, outer, length, inner, selectLast)
        default: throw KernelError("expects a numeric tensor, got tensor(\(t.elementType))")
        }
        return [.tensor(Tensor(shape: shape, data: .int64(result)))]
    }

    static func argmax<T: Comparable>(_ v: [T], _ outer: Int, _ length: Int, _ inner: Int, _ last: Bool) -> [Int64] {
        var out = [Int64](repeating: 0, count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = v[base], index = 0
                for j in 1..<length {
                    let x = v[base + j * inner]
                    if last ? x >= best : x > best { best = x; index = j }
                }
                out[o * inner + i] = Int64(index)
            }
        }
        return out
    }
}
