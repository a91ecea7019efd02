/// `FeatureVectorizer` (ai.onnx.ml 1): concatenates its inputs column-wise into a float
/// `[N, sum(inputdimensions)]` tensor. Each input is `[N, ...]` (a 1-D input is one row) whose
/// row, flattened, is truncated or zero-padded to its `inputdimensions` entry.
struct FeatureVectorizerKernel: Kernel {
    let dimensions: [Int]
    let total: Int

    static let schema = OperatorSchema(opType: "FeatureVectorizer", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...Int(Int32.max), outputs: 1...1) { ctx throws(BuildError) in
        let dims = try ctx.attributes.ints("inputdimensions") ?? []
        guard dims.count == ctx.inputTypes.count else {
            throw BuildError(.invalidAttribute, "'inputdimensions' has \(dims.count) values but the node has \(ctx.inputTypes.count) inputs")
        }
        var total = 0
        for d in dims {
            guard d >= 0, d <= Int64(Shapes.maxElements) else { throw BuildError(.invalidAttribute, "'inputdimensions' value \(d) is out of range") }
            total += Int(d)
            guard total <= Shapes.maxElements else { throw BuildError(.invalidAttribute, "'inputdimensions' sum is too large") }
        }
        for i in dims.indices { try ctx.requireInput(i, oneOf: [.float, .double, .int64, .int32]) }
        var rows: Int? = nil
        if let s = ctx.inputShape(0) { rows = s.count <= 1 ? 1 : s[0] }
        return BuiltKernel(kernel: FeatureVectorizerKernel(dimensions: dims.map { Int($0) }, total: total), outputTypes: [.tensor(.float, shape: [rows, total])])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        guard inputs.count == dimensions.count else {
            throw KernelError("expects \(dimensions.count) inputs, got \(inputs.count)")
        }
        var rows = 0
        var parts: [(values: [Float], width: Int)] = []
        for i in inputs.indices {
            let t = try Inputs.tensor(inputs, i)
            guard let values = t.floatValues(), [.float, .double, .int64, .int32].contains(t.elementType) else {
                throw KernelError("input \(i) must be float, double, int64 or int32, got tensor(\(t.elementType))")
            }
            let n = t.shape.count <= 1 ? 1 : t.shape[0]
            if i == 0 { rows = n } else if n != rows {
                throw KernelError("input \(i) has \(n) rows but input 0 has \(rows)")
            }
            parts.append((values, n == 0 ? 0 : values.count / n))
        }
        let count = try Shapes.checkedCount([rows, total])
        var out = [Float](repeating: 0, count: count)
        var offset = 0
        for (k, part) in parts.enumerated() {
            let copy = min(part.width, dimensions[k])
            for r in 0..<rows {
                let src = r * part.width, dst = r * total + offset
                for j in 0..<copy { out[dst + j] = part.values[src + j] }
            }
            offset += dimensions[k]
        }
        return [.tensor(Tensor(shape: [rows, total], data: .float(out)))]
    }
}
