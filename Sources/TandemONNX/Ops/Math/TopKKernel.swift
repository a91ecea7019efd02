/// `TopK` (1, 10, 11): the `k` largest (or, v11 `largest` = 0, smallest) elements along `axis`
/// (default -1) and their int64 indices. v1 reads `k` from an attribute, v10+ from a one-element
/// int64 input. Equal values keep index order (the lower index first); the result is always
/// sorted (which `sorted` = 0 allows).
struct TopKKernel: Kernel {
    let attributeK: Int?
    let axis: Int
    let largest: Bool

    static let schema = OperatorSchema(opType: "TopK", domain: "", versions: [1, 10, 11], inputs: 1...2, outputs: 2...2) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.numbers)
        try ctx.requireInput(1, oneOf: [.int64])
        var k: Int? = nil
        if ctx.sinceVersion < 10 {
            let v = try ctx.attributes.requiredInt("k")
            guard v >= 0 else { throw BuildError(.invalidAttribute, "attribute 'k' must not be negative, got \(v)") }
            k = Int(v)
        } else if ctx.inputTypes.count < 2 {
            throw BuildError(.invalidAttribute, "TopK \(ctx.sinceVersion) takes k as its second input")
        }
        let axis = Int(try ctx.attributes.int("axis") ?? -1)
        let largest = ctx.sinceVersion >= 11 ? (try ctx.attributes.int("largest") ?? 1) != 0 : true
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count) else {
                throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)")
            }
            var out = s
            out[a] = k ?? ctx.constantInputs.dropFirst().first??.integerValues()?.first.map { Int(truncatingIfNeeded: $0) }
            shape = out
        }
        return BuiltKernel(kernel: TopKKernel(attributeK: k, axis: axis, largest: largest),
                           outputTypes: [.tensor(ctx.inputElement(0), shape: shape), .tensor(.int64, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        guard let a = Shapes.normalizedAxis(axis, rank: x.shape.count) else {
            throw KernelError("axis \(axis) is out of range for shape \(x.shape)")
        }
        let k: Int
        if let attributeK {
            k = attributeK
        } else {
            let kt = try Inputs.tensor(inputs, 1, "K")
            guard kt.elementType == .int64, let values = kt.integerValues(), values.count == 1 else {
                throw KernelError("K must be a one-element int64 tensor, got tensor(\(kt.elementType)) of shape \(kt.shape)")
            }
            guard values[0] >= 0 else { throw KernelError("K must not be negative, got \(values[0])") }
            k = Int(truncatingIfNeeded: values[0])
        }
        guard k <= x.shape[a] else { throw KernelError("K = \(k) is larger than dimension \(a) of shape \(x.shape)") }
        var shape = x.shape
        shape[a] = k
        _ = try Shapes.checkedCount(shape)
        let layout = MathAxisLayout(x.shape, axis: a)
        let (values, indices) = try x.data.visitOrdered(TopKStep(layout: layout, k: k, largest: largest))
        return [.tensor(Tensor(shape: shape, data: values)), .tensor(Tensor(shape: shape, data: .int64(indices)))]
    }
}

private struct TopKStep: OrderedVisitor {
    let layout: MathAxisLayout, k: Int, largest: Bool
    func visit<T: OrderedScalar>(_ v: [T]) throws(KernelError) -> (TensorData, [Int64]) {
        let (outer, length, inner) = (layout.outer, layout.length, layout.inner)
        var values = [T](repeating: .zero, count: outer &* k &* inner)
        var indices = [Int64](repeating: 0, count: values.count)
        guard !values.isEmpty else { return (T.wrap(values), indices) }
        var order = [Int](repeating: 0, count: length)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                for j in 0..<length { order[j] = j }
                // NaN sorts as the largest value, as numpy's sort does.
                let before: (Int, Int) -> Bool = { p, q in
                    let x = v[base + p * inner], y = v[base + q * inner]
                    let xn = x != x, yn = y != y
                    if xn || yn { return xn && !yn ? largest : (!xn && yn ? !largest : p < q) }
                    if x == y { return p < q }
                    return largest ? x > y : x < y
                }
                order.sort(by: before)
                let outBase = o * k * inner + i
                for j in 0..<k {
                    values[outBase + j * inner] = v[base + order[j] * inner]
                    indices[outBase + j * inner] = Int64(order[j])
                }
            }
        }
        return (T.wrap(values), indices)
    }
}
