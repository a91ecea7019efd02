/// `LayerNormalization` (17): normalises X over its axes from `axis` on (mean and variance of
/// each row of X seen as `[prod(d[:axis]), prod(d[axis:])]`), then `* Scale + B` (both broadcast
/// to X's normalised shape). The optional Mean and InvStdDev outputs are float, shaped
/// `d[:axis] + [1, ...]`; statistics are computed in double (stash_type 1 asks for at least float).
struct LayerNormalizationKernel: Kernel {
    let axis: Int
    let epsilon: Double

    static let schema = OperatorSchema(opType: "LayerNormalization", domain: "", versions: [17], inputs: 2...3, outputs: 1...3) { ctx throws(BuildError) in
        for i in 0..<3 { try ctx.requireInput(i, oneOf: ElementType.floating) }
        let axis = Int(try ctx.attributes.int("axis") ?? -1)
        let stash = try ctx.attributes.int("stash_type") ?? 1
        guard stash == 1 || stash == 11 else { throw BuildError(.invalidAttribute, "attribute 'stash_type' must be 1 (float) or 11 (double), got \(stash)") }
        var statsShape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count) else { throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)") }
            statsShape = Array(s[..<a]) + Array(repeating: 1, count: s.count - a)
        }
        let kernel = LayerNormalizationKernel(axis: axis, epsilon: Double(try ctx.attributes.float("epsilon") ?? 1e-5))
        let types: [ValueType] = [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0)), .tensor(.float, shape: statsShape), .tensor(.float, shape: statsShape)]
        return BuiltKernel(kernel: kernel, outputTypes: Array(types.prefix(ctx.outputCount)))
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X"), scale = try Inputs.tensor(inputs, 1, "Scale")
        let bias = inputs.count > 2 && inputs[2] != nil ? try Inputs.tensor(inputs, 2, "B") : nil
        guard let a = Shapes.normalizedAxis(axis, rank: x.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(x.shape)")
        }
        let rows = x.shape[..<a].reduce(1, *), columns = x.shape[a...].reduce(1, *)
        let s = try Self.expand(scale, "Scale", x.shape, from: a)
        let b = try bias.map { t throws(KernelError) in try Self.expand(t, "B", x.shape, from: a) }
        let job = Job(rows: rows, columns: columns, epsilon: epsilon, scale: s, bias: b)
        let (y, mean, inv) = try x.data.visitFloating(job, "X")
        let statsShape = Array(x.shape[..<a]) + Array(repeating: 1, count: x.shape.count - a)
        return [.tensor(Tensor(shape: x.shape, data: y)),
                .tensor(Tensor(shape: statsShape, data: .float(mean))),
                .tensor(Tensor(shape: statsShape, data: .float(inv)))]
    }

    /// Scale or B as doubles over X's normalised shape `d[from:]` (`per element` of X when its
    /// shape reaches into the leading axes).
    static func expand(_ t: Tensor, _ name: String, _ shape: [Int], from a: Int) throws(KernelError) -> (values: [Double], perElement: Bool) {
        guard let v = t.data.doubles else { throw KernelError("\(name) must be numeric") }
        var ts = t.shape
        while ts.count > shape.count - a, ts.first == 1 { ts.removeFirst() }
        let target = ts.count > shape.count - a ? shape : Array(shape[a...])
        if ts == target { return (v, target.count == shape.count && a > 0) }
        guard Broadcasting.shape(ts, target) == target else {
            throw KernelError("\(name) of shape \(t.shape) does not broadcast to X's normalised shape \(Array(shape[a...]))")
        }
        let count = try Shapes.checkedCount(target)
        let expanded = Broadcasting.apply([Double](repeating: 0, count: count), target, v, ts, target) { $1 }
        return (expanded, target.count == shape.count && a > 0)
    }

    private struct Job: FloatingVisitor {
        let rows: Int, columns: Int
        let epsilon: Double
        let scale: (values: [Double], perElement: Bool)
        let bias: (values: [Double], perElement: Bool)?

        func visit<T: FloatingScalar>(_ x: [T]) throws(KernelError) -> (TensorData, [Float], [Float]) {
            var out = x
            var mean = [Float](repeating: 0, count: rows), inv = mean
            var O = out.mutableSpan
            let S = scale.values.span
            for r in 0..<rows {
                let base = r * columns
                var s = 0.0
                for j in 0..<columns { s += Double(O[base + j]) }
                let mu = columns > 0 ? s / Double(columns) : 0
                var q = 0.0
                for j in 0..<columns { let d = Double(O[base + j]) - mu; q += d * d }
                let invStd = 1 / (q / Double(max(columns, 1)) + epsilon).squareRoot()
                mean[r] = Float(mu)
                inv[r] = Float(invStd)
                let sOff = scale.perElement ? base : 0
                for j in 0..<columns {
                    var y = (Double(O[base + j]) - mu) * invStd * S[sOff + j]
                    if let bias { y += bias.values[(bias.perElement ? base : 0) + j] }
                    O[base + j] = T(y)
                }
            }
            return (T.wrap(out), mean, inv)
        }
    }
}
