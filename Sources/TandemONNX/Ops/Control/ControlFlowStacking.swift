/// Slicing a tensor along an axis and stacking per-iteration results: what Loop's and Scan's
/// scan inputs and outputs need.
enum ControlFlowStacking {
    /// The `index`-th slice of `t` along `axis`, with that axis removed.
    static func slice(_ t: Tensor, axis: Int, index: Int) -> Tensor {
        let length = t.shape[axis]
        let outer = t.shape[..<axis].reduce(1, *)
        let inner = t.shape[(axis + 1)...].reduce(1, *)
        var indices: [Int] = []
        indices.reserveCapacity(outer * inner)
        for o in 0..<outer {
            let base = (o * length + index) * inner
            for j in 0..<inner { indices.append(base + j) }
        }
        var shape = t.shape
        shape.remove(at: axis)
        return Tensor(shape: shape, data: t.data.selecting(indices))
    }

    /// Stacks equally shaped `parts` into one tensor with a new dimension at `axis`.
    /// `empty` gives the element type and per-part shape when there are no parts.
    static func stack(_ parts: [Tensor], axis: Int, empty: ValueType?) throws(KernelError) -> Tensor {
        guard let first = parts.first else {
            let element = empty?.elementType ?? .float
            var shape = (empty?.shape ?? []).map { $0 ?? 0 }
            shape.insert(0, at: min(max(axis, 0), shape.count))
            return Tensor(shape: shape, data: TensorData.zeros(element, count: 0))
        }
        for p in parts where p.shape != first.shape || p.elementType != first.elementType {
            throw KernelError("iterations produced different shapes or types (\(first.shape) \(first.elementType) and \(p.shape) \(p.elementType)); a scan output must keep its shape")
        }
        let rank = first.shape.count + 1
        guard let at = Shapes.normalizedAxis(axis, rank: rank) else {
            throw KernelError("scan output axis \(axis) is out of range for rank \(rank)")
        }
        var shape = first.shape
        shape.insert(parts.count, at: at)
        _ = try Shapes.checkedCount(shape)
        let runs = parts.indices.map { (part: $0, start: 0, length: first.count) }
        guard let stacked = TensorData.gatherRuns(parts.map(\.data), runs) else {
            throw KernelError("iterations produced tensors of different element types")
        }
        if at == 0 { return Tensor(shape: shape, data: stacked) }
        // Move the iteration dimension from the front to `at`.
        let outer = first.shape[..<at].reduce(1, *)  // the dimensions before the new axis
        let inner = first.shape[at...].reduce(1, *)
        var indices: [Int] = []
        indices.reserveCapacity(parts.count * first.count)
        for o in 0..<outer {
            for t in 0..<parts.count {
                let base = t * first.count + o * inner
                for j in 0..<inner { indices.append(base + j) }
            }
        }
        return Tensor(shape: shape, data: stacked.selecting(indices))
    }
}
