import Foundation

/// `Softmax` (1, 11, 13). v13 normalises along `axis` (default -1); v1/v11 coerce the input
/// to 2-D `[prod(d[:axis]), prod(d[axis:])]` with `axis` default 1. Row max subtracted first.
struct SoftmaxKernel: Kernel {
    let axis: Int
    let coerceTo2D: Bool

    static let schema = OperatorSchema(opType: "Softmax", domain: "", versions: [1, 11, 13], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double])
        let coerce = ctx.sinceVersion < 13
        let axis = Int(try ctx.attributes.int("axis") ?? (coerce ? 1 : -1))
        if let rank = ctx.inputShape(0)?.count, Shapes.normalizedAxis(axis, rank: rank) == nil, !(coerce && axis == rank) {
            throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(rank)")
        }
        return BuiltKernel(kernel: SoftmaxKernel(axis: axis, coerceTo2D: coerce), outputTypes: [ctx.inputTypes[0] ?? .unknown], role: .probabilities)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0)
        let rank = t.shape.count
        guard rank > 0, let a = Shapes.normalizedAxis(axis, rank: rank) else {
            throw KernelError("axis \(axis) is out of range for shape \(t.shape)")
        }
        let outer = t.shape[..<a].reduce(1, *)
        let length = coerceTo2D ? t.shape[a...].reduce(1, *) : t.shape[a]
        let inner = coerceTo2D ? 1 : t.shape[(a + 1)...].reduce(1, *)
        switch t.data {
        case .float(var v):
            var b = v.mutableSpan
            Self.softmax(&b, outer, length, inner, exp: expf)
            return [.tensor(Tensor(shape: t.shape, data: .float(v)))]
        case .double(var v):
            var b = v.mutableSpan
            Self.softmax(&b, outer, length, inner, exp: Foundation.exp)
            return [.tensor(Tensor(shape: t.shape, data: .double(v)))]
        default:
            throw KernelError("expects float or double, got tensor(\(t.elementType))")
        }
    }

    /// `b` holds `outer * length * inner` elements (the tensor's count), so no span bounds check fails.
    static func softmax<T: BinaryFloatingPoint>(_ b: inout MutableSpan<T>, _ outer: Int, _ length: Int, _ inner: Int, exp: (T) -> T) {
        guard length > 0 else { return }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var vmax = b[base]
                for j in 1..<max(length, 1) where b[base + j * inner] > vmax { vmax = b[base + j * inner] }
                var sum: T = 0
                for j in 0..<length {
                    let e = exp(b[base + j * inner] - vmax)
                    b[base + j * inner] = e
                    sum += e
                }
                for j in 0..<length { b[base + j * inner] /= sum }
            }
        }
    }
}
