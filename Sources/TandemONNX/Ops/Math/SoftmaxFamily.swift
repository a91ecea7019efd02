/// `Softmax`, `LogSoftmax`, `Hardmax` (1, 11, 13). v13 works along `axis` (default -1); v1/v11
/// coerce the input to 2-D `[prod(d[:axis]), prod(d[axis:])]` with `axis` default 1. Softmax
/// subtracts the row maximum first; Hardmax marks the first maximum of each row with 1.
struct SoftmaxKernel: Kernel {
    enum Function: Sendable { case softmax, logSoftmax, hardmax }
    let function: Function
    let axis: Int
    let coerceTo2D: Bool

    static func schema(_ op: String, _ function: Function) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: [1, 11, 13], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            try ctx.requireInput(0, oneOf: ElementType.floating)
            let coerce = ctx.sinceVersion < 13
            let axis = Int(try ctx.attributes.int("axis") ?? (coerce ? 1 : -1))
            if let rank = ctx.inputShape(0)?.count, Shapes.normalizedAxis(axis, rank: rank) == nil, !(coerce && axis == rank) {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(rank)")
            }
            let kernel = SoftmaxKernel(function: function, axis: axis, coerceTo2D: coerce)
            return BuiltKernel(kernel: kernel, outputTypes: [ctx.inputTypes[0] ?? .unknown], role: function == .softmax ? .probabilities : .plain)
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        let rank = t.shape.count
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank || (a == rank && (coerceTo2D || rank == 0)) else {
            throw KernelError("axis \(axis) is out of range for shape \(t.shape)")
        }
        let outer = t.shape[..<a].reduce(1, &*)
        let length = coerceTo2D ? t.shape[a...].reduce(1, &*) : (a < rank ? t.shape[a] : 1)
        let inner = coerceTo2D || a >= rank ? 1 : t.shape[(a + 1)...].reduce(1, &*)
        let data: TensorData
        switch t.data {
        case .float(var v):
            if function == .softmax, inner == 1 {
                Self.softmaxRows(&v, outer, length)
            } else {
                Self.normalize(&v, outer, length, inner, function)
            }
            data = .float(v)
        case .double(var v):
            Self.normalize(&v, outer, length, inner, function)
            data = .double(v)
        default:
            throw KernelError("expects float or double, got tensor(\(t.elementType))")
        }
        return [.tensor(Tensor(shape: t.shape, data: data))]
    }

    /// float Softmax along the last axis, `[rows, length]` in place: the same row maximum, order of
    /// summation and division as `normalize`, with the exponentials taken over the whole buffer by
    /// `VectorExp` (error bound there) instead of one `expf` call per element.
    static func softmaxRows(_ v: inout [Float], _ rows: Int, _ length: Int) {
        guard length > 0, !v.isEmpty, v.count == rows &* length else { return }
        var b = v.mutableSpan
        for o in 0..<rows {
            let base = o * length
            var vmax = b[base]
            for j in 1..<length where b[base + j] > vmax { vmax = b[base + j] }
            for j in 0..<length { b[base + j] = b[base + j] - vmax }
        }
        VectorExp.apply(&b, 0..<b.count)
        for o in 0..<rows {
            let base = o * length
            var sum: Float = 0
            for j in 0..<length { sum += b[base + j] }
            for j in 0..<length { b[base + j] /= sum }
        }
    }

    /// Normalises each `[outer, length, inner]` slice in place; `v` must hold `outer * length * inner`
    /// elements (checked), so every index is in range.
    static func normalize<T: MathFloat>(_ v: inout [T], _ outer: Int, _ length: Int, _ inner: Int, _ function: Function) {
        guard length > 0, !v.isEmpty, v.count == outer &* length &* inner else { return }
        var b = v.mutableSpan
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var vmax = b[base], argmax = 0
                for j in 1..<length where b[base + j * inner] > vmax {
                    vmax = b[base + j * inner]
                    argmax = j
                }
                switch function {
                case .hardmax:
                    for j in 0..<length { b[base + j * inner] = j == argmax ? 1 : 0 }
                case .softmax:
                    var sum: T = 0
                    for j in 0..<length {
                        let e = T.exp(b[base + j * inner] - vmax)
                        b[base + j * inner] = e
                        sum += e
                    }
                    for j in 0..<length { b[base + j * inner] /= sum }
                case .logSoftmax:
                    var sum: T = 0
                    for j in 0..<length { sum += T.exp(b[base + j * inner] - vmax) }
                    let logSum = T.log(sum)
                    for j in 0..<length { b[base + j * inner] = b[base + j * inner] - vmax - logSum }
                }
            }
        }
    }
}
