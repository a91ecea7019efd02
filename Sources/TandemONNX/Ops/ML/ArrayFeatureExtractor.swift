/// `ArrayFeatureExtractor` (ai.onnx.ml 1): selects `X[..., Y]` along the last axis.
/// A 1-D `X` gives shape `[1, k]` (onnxruntime); out-of-range indices fail the run.
struct ArrayFeatureExtractorKernel: Kernel {
    static let schema = OperatorSchema(opType: "ArrayFeatureExtractor", domain: OpsetTable.mlDomain, versions: [1], inputs: 2...2, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        // Over a computed input it only picks score columns (skl2onnx's binary LinearSVC export).
        var role = NodeRole.passThrough
        if let table = ctx.constantInputs[0], table.shape.count == 1 {
            switch table.data {
            case .int64(let v): role = .labelLookup(labels: .int64(v))
            case .int32(let v): role = .labelLookup(labels: .int64(v.map { Int64($0) }))
            case .string(let v): role = .labelLookup(labels: .string(v))
            default: break
            }
        }
        var shape: [Int?]? = nil
        if let x = ctx.inputShape(0) {
            shape = x.count <= 1 ? [1, nil] : Array(x.dropLast()) + [nil]
        }
        return BuiltKernel(kernel: ArrayFeatureExtractorKernel(), outputTypes: [.tensor(ctx.inputElement(0), shape: shape)], role: role)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0, "X")
        guard let indices = try Inputs.tensor(inputs, 1, "Y").integerValues() else { throw KernelError("indices must be int64") }
        let last = x.shape.last ?? 1
        let outer = last == 0 ? 0 : x.count / last
        _ = try Shapes.checkedCount([outer, indices.count])
        var picks: [Int] = []
        picks.reserveCapacity(outer * indices.count)
        for i in indices where i < 0 || i >= Int64(last) {
            throw KernelError("index \(i) is out of range for a last dimension of size \(last)")
        }
        for o in 0..<outer {
            for i in indices { picks.append(o * last + Int(i)) }
        }
        let shape = x.shape.count <= 1 ? [1, indices.count] : Array(x.shape.dropLast()) + [indices.count]
        return [.tensor(Tensor(shape: shape, data: x.data.selecting(picks)))]
    }
}
