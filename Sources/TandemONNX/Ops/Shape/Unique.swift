/// `Unique` (11): the distinct elements (or, with `axis`, distinct slices along it) in ascending
/// order (`sorted=1`, default) or order of first occurrence, plus, as onnxruntime orders its
/// outputs: first-occurrence indices, inverse indices (per input element / slice) and counts.
struct UniqueKernel: Kernel {
    let sorted: Bool
    let axis: Int?

    static let schema = OperatorSchema(opType: "Unique", domain: "", versions: [11], inputs: 1...1, outputs: 1...4) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: ElementType.numbers.union([.string]))
        let sorted = (try ctx.attributes.int("sorted") ?? 1) != 0
        let axis = try ctx.attributes.int("axis").map { Int($0) }
        var yShape: [Int?]? = [nil]
        if let axis, let s = ctx.inputShape(0) {
            guard let a = Shapes.normalizedAxis(axis, rank: s.count) else { throw BuildError(.invalidAttribute, "axis \(axis) is out of range for rank \(s.count)") }
            var out = s
            out[a] = nil
            yShape = out
        } else if axis != nil {
            yShape = nil
        }
        let int64Vector = ValueType.tensor(.int64, shape: [nil])
        return BuiltKernel(kernel: UniqueKernel(sorted: sorted, axis: axis), outputTypes: [.tensor(ctx.inputElement(0), shape: yShape), int64Vector, int64Vector, int64Vector])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let t = try Inputs.tensor(inputs, 0, "X")
        let shape: [Int]
        let a: Int
        if let axis {
            guard let n = Shapes.normalizedAxis(axis, rank: t.shape.count) else { throw KernelError("axis \(axis) is out of range for shape \(t.shape)") }
            shape = t.shape
            a = n
        } else {
            shape = [t.count]
            a = 0
        }
        let layout = (outer: shape[..<a].reduce(1, *), dim: shape[a], inner: shape[(a + 1)...].reduce(1, *))
        let groups: Groups
        if case .string(let v) = t.data {
            groups = Self.group(v, layout, sorted: sorted)
        } else {
            groups = try t.data.visitOrdered(Grouper(layout: layout, sorted: sorted), "X")
        }
        var picks: [Int] = []
        picks.reserveCapacity(layout.outer * groups.first.count * layout.inner)
        for o in 0..<layout.outer {
            for j in groups.first {
                let base = (o * layout.dim + j) * layout.inner
                for i in 0..<layout.inner { picks.append(base + i) }
            }
        }
        var yShape = shape
        yShape[a] = groups.first.count
        let u = [groups.first.count]
        return [
            .tensor(Tensor(shape: yShape, data: t.data.selecting(picks))),
            .tensor(Tensor(shape: u, data: .int64(groups.first.map { Int64($0) }))),
            .tensor(Tensor(shape: [groups.inverse.count], data: .int64(groups.inverse.map { Int64($0) }))),
            .tensor(Tensor(shape: u, data: .int64(groups.counts.map { Int64($0) }))),
        ]
    }

    /// Per distinct slice (in output order): its first position and count; per input slice: its group.
    struct Groups {
        var first: [Int] = []
        var counts: [Int] = []
        var inverse: [Int] = []
    }

    /// Groups the slices `j` of a `[outer, dim, inner]` layout by their contents.
    static func group<T: Comparable>(_ values: [T], _ layout: (outer: Int, dim: Int, inner: Int), sorted: Bool) -> Groups {
        let (outer, dim, inner) = layout
        func key(_ j: Int) -> [T] {
            var k: [T] = []
            k.reserveCapacity(outer * inner)
            for o in 0..<outer { k.append(contentsOf: values[((o * dim + j) * inner)..<((o * dim + j + 1) * inner)]) }
            return k
        }
        let keys = (0..<dim).map(key)
        // Stable: equal keys keep their input order, so the first of a run is the first occurrence.
        let order = (0..<dim).sorted { l, r in keys[l].lexicographicallyPrecedes(keys[r]) || (keys[l] == keys[r] && l < r) }
        var runs: [(first: Int, members: [Int])] = []
        for j in order {
            if let last = runs.last, keys[last.first] == keys[j] {
                runs[runs.count - 1].members.append(j)
            } else {
                runs.append((j, [j]))
            }
        }
        if !sorted { runs.sort { $0.first < $1.first } }
        var g = Groups()
        g.inverse = Array(repeating: 0, count: dim)
        for (n, run) in runs.enumerated() {
            g.first.append(run.first)
            g.counts.append(run.members.count)
            for m in run.members { g.inverse[m] = n }
        }
        return g
    }

    /// `group` for the ordered numeric types.
    private struct Grouper: OrderedVisitor {
        let layout: (outer: Int, dim: Int, inner: Int)
        let sorted: Bool
        func visit<T: OrderedScalar>(_ values: [T]) throws(KernelError) -> Groups { UniqueKernel.group(values, layout, sorted: sorted) }
    }
}
