/// How ScatterElements and ScatterND combine an update with the existing element.
enum ScatterReduction: String {
    case none, add, mul, max, min

    /// Reads the `reduction` attribute, allowing add/mul from 16 and max/min from 18.
    static func parse(_ ctx: NodeContext) throws(BuildError) -> ScatterReduction {
        guard ctx.sinceVersion >= 16 else { return .none }
        let name = try ctx.attributes.string("reduction") ?? "none"
        guard let r = ScatterReduction(rawValue: name), ctx.sinceVersion >= 18 || (r != .max && r != .min) else {
            throw BuildError(.invalidAttribute, "reduction '\(name)' is not one of none, add, mul\(ctx.sinceVersion >= 18 ? ", max, min" : "")")
        }
        return r
    }

    /// `data` with `updates[i]` written to (or combined into) flat position `targets[i]`, in order.
    func apply(_ data: TensorData, _ updates: TensorData, _ targets: [Int]) throws(KernelError) -> TensorData {
        guard data.elementType == updates.elementType else {
            throw KernelError("updates (tensor(\(updates.elementType))) must have the data's type tensor(\(data.elementType))")
        }
        if self == .none { return try data.visit(Overwrite(updates: updates, targets: targets)) }
        switch (data, updates) {
        case (.float(let d), .float(let u)): return .float(combine(d, u, targets, floating()))
        case (.double(let d), .double(let u)): return .double(combine(d, u, targets, floating()))
        case (.int64(let d), .int64(let u)): return .int64(combine(d, u, targets, integer()))
        case (.int32(let d), .int32(let u)): return .int32(combine(d, u, targets, integer()))
        case (.int8(let d), .int8(let u)): return .int8(combine(d, u, targets, integer()))
        case (.uint8(let d), .uint8(let u)): return .uint8(combine(d, u, targets, integer()))
        default: throw KernelError("reduction '\(rawValue)' needs numeric data, got tensor(\(data.elementType))")
        }
    }

    private func combine<T>(_ data: [T], _ updates: [T], _ targets: [Int], _ f: (T, T) -> T) -> [T] {
        var out = data
        for (i, t) in targets.enumerated() { out[t] = f(out[t], updates[i]) }
        return out
    }

    private func floating<T: FloatingScalar>() -> (T, T) -> T {
        switch self {
        case .add: { $0 + $1 }
        case .mul: { $0 * $1 }
        case .max: { Swift.max($0, $1) }
        case .min: { Swift.min($0, $1) }
        case .none: { $1 }
        }
    }

    private func integer<T: IntegerScalar>() -> (T, T) -> T {
        switch self {
        case .add: { $0 &+ $1 }
        case .mul: { $0 &* $1 }
        case .max: { Swift.max($0, $1) }
        case .min: { Swift.min($0, $1) }
        case .none: { $1 }
        }
    }

    /// Plain assignment for any element type.
    private struct Overwrite: TensorVisitor {
        let updates: TensorData
        let targets: [Int]
        func visit<T: TensorScalar>(_ values: [T]) throws(KernelError) -> TensorData {
            guard let u = T.unwrap(updates) else { throw KernelError("updates must have the data's element type") }
            var out = values
            for (i, t) in targets.enumerated() { out[t] = u[i] }
            return T.wrap(out)
        }
    }
}

/// `ScatterElements` (11, 13, 16, 18): copies `data` and writes `updates[p]` at the position of
/// `p` with its `axis` coordinate replaced by `indices[p]` (negative allowed), optionally reduced.
struct ScatterElementsKernel: Kernel {
    let axis: Int
    let reduction: ScatterReduction

    static let schema = OperatorSchema(opType: "ScatterElements", domain: "", versions: [11, 13, 16, 18], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64, .int32])
        let axis = Int(try ctx.attributes.int("axis") ?? 0)
        let reduction = try ScatterReduction.parse(ctx)
        return BuiltKernel(kernel: ScatterElementsKernel(axis: axis, reduction: reduction), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let data = try Inputs.tensor(inputs, 0, "data")
        let idx = try Inputs.tensor(inputs, 1, "indices")
        let updates = try Inputs.tensor(inputs, 2, "updates")
        guard let indices = idx.integerValues() else { throw KernelError("indices must be int64 or int32") }
        let rank = data.shape.count
        guard idx.shape == updates.shape, idx.shape.count == rank else {
            throw KernelError("indices \(idx.shape) and updates \(updates.shape) must share a shape of the data's rank (\(data.shape))")
        }
        guard let a = Shapes.normalizedAxis(axis, rank: rank) else { throw KernelError("axis \(axis) is out of range for shape \(data.shape)") }
        for d in 0..<rank where d != a && idx.shape[d] > data.shape[d] {
            throw KernelError("indices shape \(idx.shape) exceeds data shape \(data.shape) on axis \(d)")
        }
        let strides = Shapes.strides(data.shape)
        var steps = strides
        steps[a] = 0
        let bases = try ShapeOpSupport.stridedIndices(shape: idx.shape, base: 0, steps: steps)
        let dim = Int64(data.shape[a])
        var targets: [Int] = []
        targets.reserveCapacity(indices.count)
        for (n, i) in indices.enumerated() {
            let r = i < 0 ? i + dim : i
            guard r >= 0, r < dim else { throw KernelError("index \(i) is out of range for axis \(a) of size \(dim)") }
            targets.append(bases[n] + Int(r) * strides[a])
        }
        return [.tensor(Tensor(shape: data.shape, data: try reduction.apply(data.data, updates.data, targets)))]
    }
}

/// `ScatterND` (11, 13, 16, 18): copies `data` and writes each slice of `updates` at the data
/// slice addressed by the matching index tuple (last axis of `indices`), optionally reduced.
struct ScatterNDKernel: Kernel {
    let reduction: ScatterReduction

    static let schema = OperatorSchema(opType: "ScatterND", domain: "", versions: [11, 13, 16, 18], inputs: 3...3, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(1, oneOf: [.int64])
        return BuiltKernel(kernel: ScatterNDKernel(reduction: try ScatterReduction.parse(ctx)), outputTypes: [.tensor(ctx.inputElement(0), shape: ctx.inputShape(0))])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let data = try Inputs.tensor(inputs, 0, "data")
        let idx = try Inputs.tensor(inputs, 1, "indices")
        let updates = try Inputs.tensor(inputs, 2, "updates")
        guard let indices = idx.integerValues() else { throw KernelError("indices must be int64") }
        guard let k = idx.shape.last, k <= data.shape.count else {
            throw KernelError("indices of shape \(idx.shape) do not fit data of shape \(data.shape)")
        }
        let expected = Array(idx.shape.dropLast()) + Array(data.shape[k...])
        guard updates.shape == expected else { throw KernelError("updates shape \(updates.shape) must be \(expected)") }
        let strides = Shapes.strides(data.shape)
        let inner = data.shape[k...].reduce(1, *)
        let tuples = k == 0 ? idx.shape.dropLast().reduce(1, *) : indices.count / k
        var targets: [Int] = []
        targets.reserveCapacity(tuples * inner)
        for t in 0..<tuples {
            var offset = 0
            for j in 0..<k {
                let dim = Int64(data.shape[j])
                let i = indices[t * k + j]
                let r = i < 0 ? i + dim : i
                guard r >= 0, r < dim else { throw KernelError("index \(i) is out of range for axis \(j) of size \(dim)") }
                offset += Int(r) * strides[j]
            }
            for e in 0..<inner { targets.append(offset + e) }
        }
        return [.tensor(Tensor(shape: data.shape, data: try reduction.apply(data.data, updates.data, targets)))]
    }
}
