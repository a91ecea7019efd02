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
        // Slices are compared in place, element by element (outer-major), without copying them.
        func compare(_ l: Int, _ r: Int) -> Int {
            if l == r { return 0 }
            for o in 0..<outer {
                let lb = (o * dim + l) * inner, rb = (o * dim + r) * inner
                for i in 0..<inner {
                    let a = values[lb + i], b = values[rb + i]
                    if a < b { return -1 }
                    if b < a { return 1 }
                }
            }
            return 0
        }
        // Equal slices keep their input order, so the first of a run is the first occurrence.
        let order: [Int]
        if outer == 1 && inner == 1 {
            // Single elements (no axis): compare the values directly.
            order = (0..<dim).sorted { l, r in values[l] < values[r] || (!(values[r] < values[l]) && l < r) }
        } else {
            order = (0..<dim).sorted { l, r in
                let c = compare(l, r)
                return c < 0 || (c == 0 && l < r)
            }
        }
        // Runs of equal slices in sorted order: run n starts at its first occurrence.
        var runOf = [Int](repeating: 0, count: dim)
        var firsts: [Int] = [], counts: [Int] = []
        var previous = -1
        for j in order {
            if previous < 0 || compare(previous, j) != 0 {
                firsts.append(j)
                counts.append(0)
                previous = j
            }
            runOf[j] = firsts.count - 1
            counts[counts.count - 1] += 1
        }
        // Output position of each run: sorted order, or order of first occurrence.
        var position = Array(0..<firsts.count)
        if !sorted {
            let byFirst = firsts.indices.sorted { firsts[$0] < firsts[$1] }
            for (p, run) in byFirst.enumerated() { position[run] = p }
        }
        var g = Groups()
        g.first = [Int](repeating: 0, count: firsts.count)
        g.counts = g.first
        for run in firsts.indices {
            g.first[position[run]] = firsts[run]
            g.counts[position[run]] = counts[run]
        }
        g.inverse = runOf.map { position[$0] }
        return g
    }

    /// `group` for the ordered numeric types.
    private struct Grouper: OrderedVisitor {
        let layout: (outer: Int, dim: Int, inner: Int)
        let sorted: Bool
        func visit<T: OrderedScalar>(_ values: [T]) throws(KernelError) -> Groups { UniqueKernel.group(values, layout, sorted: sorted) }
    }
}
