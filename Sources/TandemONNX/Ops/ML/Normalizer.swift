/// `Normalizer` (ai.onnx.ml 1), row-wise with onnxruntime's signed forms: MAX divides by the
/// signed maximum, L1 by `sum |x|`, L2 by `sqrt(sum x^2)`; a zero divisor yields a zero row.
struct NormalizerKernel: Kernel {
    enum Norm: Sendable { case max, l1, l2 }
    let norm: Norm

    static let schema = OperatorSchema(opType: "Normalizer", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.float, .double, .int64, .int32])
        let norm: Norm
        switch try ctx.attributes.string("norm") ?? "MAX" {
        case "MAX": norm = .max
        case "L1": norm = .l1
        case "L2": norm = .l2
        case let other: throw BuildError(.invalidAttribute, "norm '\(other)' is not one of MAX, L1, L2")
        }
        return BuiltKernel(kernel: NormalizerKernel(norm: norm), outputTypes: [.tensor(.float, shape: ctx.inputShape(0))], role: .probabilities)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var (x, rows, columns, shape) = try Inputs.floatMatrix(inputs)
        do {
            var b = x.mutableSpan
            for r in 0..<rows {
                let row = (r * columns)..<((r + 1) * columns)
                var divisor: Float = 0
                switch norm {
                case .max:
                    var m = -Float.greatestFiniteMagnitude
                    for i in row where b[i] > m { m = b[i] }
                    divisor = columns == 0 ? 0 : m
                case .l1:
                    for i in row { divisor += abs(b[i]) }
                case .l2:
                    for i in row { divisor += b[i] * b[i] }
                    divisor = divisor.squareRoot()
                }
                if divisor == 0 {
                    for i in row { b[i] = 0 }
                } else {
                    for i in row { b[i] /= divisor }
                }
            }
        }
        return [.tensor(Tensor(shape: shape, data: .float(x)))]
    }
}
