/// `Reshape` (5, 13, 14, 19, 21): the new shape comes as an int64 tensor; `-1` infers one
/// dimension, `0` copies the input's dimension unless `allowzero=1` (v14+).
struct ReshapeKernel: Kernel {
    let allowZero: Bool

    static let schema = OperatorSchema(opType: "Reshape", domain: "", versions: [5, 13, 14, 19, 21], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        let allowZero = ctx.sinceVersion >= 14 ? (try ctx.attributes.int("allowzero") ?? 0) != 0 : false
        var shape: [Int?]? = nil
        if let spec = ctx.constantInputs[1]?.integerValues() {
            shape = spec.map { $0 > 0 ? Int($0) : nil }
            if spec.filter({ $0 == -1 }).count > 1 { throw BuildError(.invalidAttribute, "shape \(spec) has more than one -1") }
            if let input = ctx.inputShape(0) {
                for (i, d) in spec.enumerated() where d == 0 && !allowZero && i < input.count { shape?[i] = input[i] }
            }
        }
        return BuiltKernel(kernel: ReshapeKernel(allowZero: allowZero), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)], role: .passThrough)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        var t = try Inputs.tensor(inputs, 0, "data")
        guard let spec = try Inputs.tensor(inputs, 1, "shape").integerValues() else {
            throw KernelError("shape must be an int64 tensor")
        }
        var out: [Int] = []
        var inferred: Int? = nil
        for (i, d) in spec.enumerated() {
            if d == -1 {
                guard inferred == nil else { throw KernelError("shape \(spec) has more than one -1") }
                inferred = i
                out.append(1)
            } else if d == 0 && !allowZero {
                guard i < t.shape.count else { throw KernelError("shape \(spec) copies dimension \(i) that input \(t.shape) lacks") }
                out.append(t.shape[i])
            } else if d >= 0 && d <= Int64(Int32.max) {
                out.append(Int(d))
            } else {
                throw KernelError("shape \(spec) has invalid dimension \(d)")
            }
        }
        if let i = inferred {
            guard let known = Shapes.elementCount(out), known > 0, t.count % known == 0 else {
                throw KernelError("cannot reshape \(t.shape) (\(t.count) elements) to \(spec)")
            }
            out[i] = t.count / known
        }
        guard Shapes.elementCount(out) == t.count else {
            throw KernelError("cannot reshape \(t.shape) (\(t.count) elements) to \(spec)")
        }
        t.shape = out
        return [.tensor(t)]
    }
}
