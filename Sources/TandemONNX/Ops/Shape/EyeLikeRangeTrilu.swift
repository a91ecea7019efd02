/// `EyeLike` (9, 22): a 2-D tensor shaped like the input with ones on the diagonal shifted by
/// `k` and zeros elsewhere; `dtype` picks the element type (default: the input's).
struct EyeLikeKernel: Kernel {
    let k: Int64
    let dtype: ElementType?

    static let schema = OperatorSchema(opType: "EyeLike", domain: "", versions: [9, 22], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let k = try ctx.attributes.int("k") ?? 0
        var dtype: ElementType? = nil
        if let raw = try ctx.attributes.int("dtype") {
            guard let e = Int32(exactly: raw).flatMap(ElementType.init(rawValue:)), e != .string else {
                throw BuildError(.invalidAttribute, "dtype \(raw) is not a supported numeric element type")
            }
            dtype = e
        }
        if let s = ctx.inputShape(0), s.count != 2 { throw BuildError(.invalidAttribute, "input must be 2-D, got rank \(s.count)") }
        return BuiltKernel(kernel: EyeLikeKernel(k: k, dtype: dtype), outputTypes: [.tensor(dtype ?? ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        guard t.shape.count == 2 else { throw KernelError("input must be 2-D, got shape \(t.shape)") }
        let type = dtype ?? t.elementType
        guard type != .string else { throw KernelError("EyeLike does not produce strings") }
        let rows = t.shape[0], cols = t.shape[1]
        var picks = [Int](repeating: -1, count: rows * cols)
        for i in 0..<rows {
            let j = Int64(i) + k
            if j >= 0 && j < Int64(cols) { picks[i * cols + Int(j)] = 0 }
        }
        let zeros = TensorData.zeros(type, count: 1)
        let one = try zeros.visitNumeric(ScalarOfType(value: 1))
        return [.tensor(Tensor(shape: t.shape, data: try ShapeOpSupport.select(one, picks, fill: zeros)))]
    }
}

/// `Range` (11): `start, start + delta, ...` up to (excluding) `limit`, with
/// `max(ceil((limit - start) / delta), 0)` elements of the inputs' scalar type.
struct RangeKernel: Kernel {
    static let schema = OperatorSchema(opType: "Range", domain: "", versions: [11], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        for i in 0..<3 { try ctx.requireInput(i, oneOf: [.float, .double, .int64, .int32]) }
        return BuiltKernel(kernel: RangeKernel(), outputTypes: [.tensor(ctx.inputElement(0), shape: [nil])])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let start = try Inputs.tensor(inputs, 0, "start"), limit = try Inputs.tensor(inputs, 1, "limit"), delta = try Inputs.tensor(inputs, 2, "delta")
        guard start.elementType == limit.elementType, start.elementType == delta.elementType else {
            throw KernelError("start, limit and delta must share one type")
        }
        guard start.count == 1, limit.count == 1, delta.count == 1 else { throw KernelError("start, limit and delta must be scalars") }
        switch (start.data, limit.data, delta.data) {
        case (.float(let s), .float(let l), .float(let d)): return [try floating(s[0], l[0], d[0])]
        case (.double(let s), .double(let l), .double(let d)): return [try floating(s[0], l[0], d[0])]
        case (.int64(let s), .int64(let l), .int64(let d)): return [try integer(s[0], l[0], d[0])]
        case (.int32(let s), .int32(let l), .int32(let d)): return [try integer(s[0], l[0], d[0])]
        default: throw KernelError("Range takes float, double, int32 or int64, got tensor(\(start.elementType))")
        }
    }

    private func floating<T: FloatingScalar>(_ s: T, _ l: T, _ d: T) throws(KernelError) -> Value {
        guard d != 0 else { throw KernelError("delta must not be 0") }
        let n = ((l - s) / d).rounded(.up)
        guard n.isFinite || n < 0 else { throw KernelError("Range(\(s), \(l), \(d)) is not finite") }
        let count = n > 0 ? try Shapes.checkedCount([n < T(Shapes.maxElements) ? Int(n) : Shapes.maxElements + 1]) : 0
        return .tensor(Tensor(shape: [count], data: T.wrap((0..<count).map { s + T($0) * d })))
    }

    private func integer<T: IntegerScalar>(_ s: T, _ l: T, _ d: T) throws(KernelError) -> Value {
        guard d != 0 else { throw KernelError("delta must not be 0") }
        let span = Int64(l).subtractingReportingOverflow(Int64(s))
        guard !span.overflow else { throw KernelError("Range(\(s), \(l), \(d)) overflows") }
        let step = Int64(d)
        var n = span.partialValue / step
        if n * step != span.partialValue && (span.partialValue > 0) == (step > 0) { n += 1 }
        n = max(n, 0)
        let count = try Shapes.checkedCount([n < Int64(Shapes.maxElements) ? Int(n) : Shapes.maxElements + 1])
        let values = (0..<count).map { T(truncatingIfNeeded: Int64(s) &+ Int64($0) &* step) }
        return .tensor(Tensor(shape: [count], data: T.wrap(values)))
    }
}

/// `Trilu` (14): keeps the upper (`upper=1`, default) or lower triangle of the last two axes,
/// relative to the diagonal shifted by the optional `k` input, and zeroes the rest.
struct TriluKernel: Kernel {
    let upper: Bool

    static let schema = OperatorSchema(opType: "Trilu", domain: "", versions: [14], inputs: 1...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        let upper = (try ctx.attributes.int("upper") ?? 1) != 0
        if let s = ctx.inputShape(0), s.count < 2 { throw BuildError(.invalidAttribute, "input must have rank 2 or more, got \(s.count)") }
        return BuiltKernel(kernel: TriluKernel(upper: upper), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "input")
        guard t.shape.count >= 2 else { throw KernelError("input must have rank 2 or more, got shape \(t.shape)") }
        var k: Int64 = 0
        if let kv = try ShapeOpSupport.optionalInts(inputs, 1, "k") {
            guard kv.count == 1 else { throw KernelError("k must be a scalar") }
            k = kv[0]
        }
        let rows = t.shape[t.shape.count - 2], cols = t.shape[t.shape.count - 1]
        var picks = Array(0..<t.count)
        let matrix = rows * cols
        if matrix > 0 {
            for m in 0..<(t.count / matrix) {
                for i in 0..<rows {
                    for j in 0..<cols {
                        let diff = Int64(j) - Int64(i)
                        let keep = upper ? diff >= k : diff <= k
                        if !keep { picks[m * matrix + i * cols + j] = -1 }
                    }
                }
            }
        }
        return [.tensor(Tensor(shape: t.shape, data: try ShapeOpSupport.select(t.data, picks, fill: TensorData.zeros(t.elementType, count: 1))))]
    }
}
