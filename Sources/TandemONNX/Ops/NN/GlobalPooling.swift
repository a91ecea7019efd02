/// `GlobalAveragePool` (1, 22) and `GlobalMaxPool` (1, 22): the mean or maximum of each
/// `[N, C]` plane over all spatial axes, output `[N, C, 1, ...]`.
struct GlobalPoolKernel: Kernel {
    let average: Bool

    static func schema(_ op: String, average: Bool) -> OperatorSchema {
        OperatorSchema(opType: op, domain: "", versions: [1, 22], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
            try ctx.requireInput(0, oneOf: ElementType.floating)
            var shape: [Int?]? = nil
            if let s = ctx.inputShape(0) {
                guard s.count >= 2 else { throw BuildError(.typeMismatch, "input must have rank >= 2 (N, C, ...), got \(ctx.inputTypes[0]?.text ?? "")") }
                shape = Array(s[..<2]) + Array(repeating: 1, count: s.count - 2)
            }
            return BuiltKernel(kernel: GlobalPoolKernel(average: average), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)])
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        guard x.shape.count >= 2 else { throw KernelError("input must have rank >= 2 (N, C, ...), got shape \(x.shape)") }
        let outShape = Array(x.shape[..<2]) + Array(repeating: 1, count: x.shape.count - 2)
        let planes = x.shape[0] * x.shape[1]
        let job = Job(planes: planes, average: average)
        return [.tensor(Tensor(shape: outShape, data: try x.data.visitFloating(job, "X")))]
    }

    private struct Job: FloatingVisitor {
        let planes: Int
        let average: Bool

        func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> TensorData {
            let size = planes == 0 ? 0 : x.count / planes
            var out = [T](repeating: 0, count: planes)
            let X = x.span
            for p in 0..<planes {
                let base = p * size
                if average {
                    var s: T = 0
                    for i in 0..<size { s += X[base + i] }
                    out[p] = size > 0 ? s / T(size) : .nan
                } else {
                    var m = -T.infinity
                    for i in 0..<size where X[base + i] > m || X[base + i].isNaN { m = X[base + i] }
                    out[p] = m
                }
            }
            return T.wrap(out)
        }
    }
}
