/// `ArgMax` / `ArgMin` (1, 11, 12, 13): index of the maximum (minimum) along `axis` (default 0),
/// `keepdims` (default 1), `select_last_index` (v12+, default 0: the first one on ties). Scans
/// with a strict comparison from index 0 like onnxruntime, so a NaN wins only at index 0.
struct ArgExtremumKernel: Kernel {
    let findMax: Bool
    let axis: Int
    let keepDims: Bool
    let selectLast: Bool

    static func schema(_ op: String, findMax: Bool) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: [1, 11, 12, 13], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            try ctx.requireInput(0, oneOf: ElementType.numbers)
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
            let kernel = ArgExtremumKernel(findMax: findMax, axis: axis, keepDims: keep, selectLast: last)
            return BuiltKernel(kernel: kernel, outputTypes: [.tensor(.int64, shape: shape)])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        guard let a = Shapes.normalizedAxis(axis, rank: t.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(t.shape)")
        }
        let layout = MathAxisLayout(t.shape, axis: a)
        guard layout.length > 0 else { throw KernelError("cannot take \(findMax ? "ArgMax" : "ArgMin") over an empty axis") }
        var shape = t.shape
        if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        _ = try Shapes.checkedCount(shape)
        let result: [Int64]
        if case .float(let v) = t.data, layout.inner == 1, findMax, !selectLast {
            result = Self.lastAxisArgMax(v, rows: layout.outer, length: layout.length)
        } else {
            result = try t.data.visitOrdered(ArgStep(layout: layout, findMax: findMax, last: selectLast))
        }
        return [.tensor(Tensor(shape: shape, data: .int64(result)))]
    }
}

extension ArgExtremumKernel {
    /// ArgMax of each float row (a classifier's label from its scores): the same strict `>` scan from
    /// index 0 as `ArgStep`, specialised so the comparison is inlined. `v` holds `rows * length`
    /// elements, `length > 0` (checked by the caller).
    static func lastAxisArgMax(_ v: [Float], rows: Int, length: Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: rows)
        guard v.count == rows &* length, length > 0 else { return out }
        let V = v.span
        var O = out.mutableSpan
        for r in 0..<rows {
            let base = r * length
            var best = V[base], index = 0
            for j in 1..<length {
                let x = V[base + j]
                if x > best { best = x; index = j }
            }
            O[r] = Int64(index)
        }
        return out
    }
}

private struct ArgStep: OrderedVisitor {
    let layout: MathAxisLayout, findMax: Bool, last: Bool
    func visit<T: OrderedScalar>(_ v: [T]) throws(KernelError) -> [Int64] {
        let (outer, length, inner) = (layout.outer, layout.length, layout.inner)
        var out = [Int64](repeating: 0, count: outer &* inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = v[base], index = 0
                for j in 1..<length {
                    let x = v[base + j * inner]
                    let better = findMax ? (last ? x >= best : x > best) : (last ? x <= best : x < best)
                    if better { best = x; index = j }
                }
                out[o * inner + i] = Int64(index)
            }
        }
        return out
    }
}

/// A tensor seen as `[outer, length, inner]` around one axis (the layout of every per-axis op).
struct MathAxisLayout: Sendable {
    let outer: Int, length: Int, inner: Int

    /// `axis` must be a valid (normalised) axis of `shape`. For an empty tensor the products
    /// wrap instead of trapping; callers check `length` or the element count first.
    init(_ shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, &*)
        length = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, &*)
    }
}
