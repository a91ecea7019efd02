/// `Shape` (1, 13, 15, 19, 21): the input's dimensions as int64; from 15 `start`/`end` pick a
/// slice of them (negative counts from the end, clamped to the rank).
struct ShapeKernel: Kernel {
    let start: Int64
    let end: Int64?

    static let schema = OperatorSchema(opType: "Shape", domain: "", versions: [1, 13, 15, 19, 21], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let start = ctx.sinceVersion >= 15 ? try ctx.attributes.int("start") ?? 0 : 0
        let end = ctx.sinceVersion >= 15 ? try ctx.attributes.int("end") : nil
        let kernel = ShapeKernel(start: start, end: end)
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            let r = kernel.range(rank: s.count)
            shape = [r.count]
        }
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(.int64, shape: shape)])
    }

    /// The selected dimension positions for a tensor of `rank`.
    func range(rank: Int) -> Range<Int> {
        func clamp(_ v: Int64) -> Int {
            let r = Int64(rank)
            let n = v < 0 ? v + r : v
            return Int(min(max(n, 0), r))
        }
        let s = clamp(start), e = clamp(end ?? Int64(rank))
        return s..<max(s, e)
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        let dims = t.shape[range(rank: t.shape.count)].map { Int64($0) }
        return [.tensor(Tensor(shape: [dims.count], data: .int64(dims)))]
    }
}

/// `Size` (1, 13, 19, 21): the input's element count as an int64 scalar.
struct SizeKernel: Kernel {
    static let schema = OperatorSchema(opType: "Size", domain: "", versions: [1, 13, 19, 21], inputs: 1...1, outputs: 1...1) { _ throws(BuildError) in
        BuiltKernel(kernel: SizeKernel(), outputTypes: [.tensor(.int64, shape: [])])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "data")
        return [.tensor(Tensor(shape: [], data: .int64([Int64(t.count)])))]
    }
}
