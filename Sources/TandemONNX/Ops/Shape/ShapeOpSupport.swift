/// Helpers the shape and data-movement kernels share: reading integer lists from inputs,
/// index-based element movement with a fill value, and axis normalisation.
enum ShapeOpSupport {
    /// The values of integer input `index` (int64 or int32), or `nil` when the input is omitted.
    static func optionalInts(_ inputs: [Value?], _ index: Int, _ name: String) throws(KernelError) -> [Int64]? {
        guard index < inputs.count, inputs[index] != nil else { return nil }
        let t = try Inputs.tensor(inputs, index, name)
        guard let v = t.integerValues() else {
            throw KernelError("\(name) must be an int64 or int32 tensor, got tensor(\(t.elementType))")
        }
        return v
    }

    /// The values of a required integer input.
    static func ints(_ inputs: [Value?], _ index: Int, _ name: String) throws(KernelError) -> [Int64] {
        guard let v = try optionalInts(inputs, index, name) else { throw KernelError("\(name) (input \(index)) is missing") }
        return v
    }

    /// A dimension read from data, checked to fit in the runtime's index range.
    static func dimension(_ d: Int64, _ what: String) throws(KernelError) -> Int {
        guard d >= 0, d <= Int64(Int32.max) else { throw KernelError("\(what) has invalid dimension \(d)") }
        return Int(d)
    }

    /// Normalises a list of possibly negative axes for `rank`, rejecting out-of-range and repeated axes.
    static func axes(_ raw: [Int64], rank: Int, _ what: String = "axes", allowRepeats: Bool = false) throws(KernelError) -> [Int] {
        var seen = Set<Int>()
        var out: [Int] = []
        for a in raw {
            guard a >= Int64(-rank), a < Int64(rank) else { throw KernelError("\(what) value \(a) is out of range for rank \(rank)") }
            let n = a < 0 ? Int(a) + rank : Int(a)
            guard seen.insert(n).inserted || allowRepeats else { throw KernelError("\(what) \(raw) repeats axis \(n)") }
            out.append(n)
        }
        return out
    }

    /// Load-time twin of `axes`: normalises constant axes against a known rank.
    static func buildAxes(_ raw: [Int64], rank: Int, _ what: String = "axes", allowRepeats: Bool = false) throws(BuildError) -> [Int] {
        do { return try axes(raw, rank: rank, what, allowRepeats: allowRepeats) } catch { throw BuildError(.invalidAttribute, error.message) }
    }

    /// The integer values of constant input `index` known at load time (initializer).
    static func constantInts(_ ctx: NodeContext, _ index: Int) -> [Int64]? {
        index < ctx.constantInputs.count ? ctx.constantInputs[index]?.integerValues() : nil
    }

    /// A buffer of `indices.count` elements: `self[i]` for `i >= 0`, the single element of `fill` for `i < 0`.
    static func select(_ data: TensorData, _ indices: [Int], fill: TensorData?) throws(KernelError) -> TensorData {
        guard let fill else { return data.selecting(indices) }
        return try data.visit(FillSelector(indices: indices, fill: fill))
    }

    /// Copies elements by index, substituting a fill value for negative indices.
    private struct FillSelector: TensorVisitor {
        let indices: [Int]
        let fill: TensorData
        func visit<T: TensorScalar>(_ values: [T]) throws(KernelError) -> TensorData {
            guard let f = T.unwrap(fill)?.first else {
                throw KernelError("the fill value must be one element of type \(T.elementType), got tensor(\(fill.elementType))")
            }
            return T.wrap(indices.map { $0 >= 0 ? values[$0] : f })
        }
    }

    /// The flat source index of every output element of a strided view: for output coordinate `c`,
    /// source offset is `base + sum(c[d] * step[d])`. Used by Transpose, Slice, Tile and Expand.
    static func stridedIndices(shape: [Int], base: Int, steps: [Int]) throws(KernelError) -> [Int] {
        let count = try Shapes.checkedCount(shape)
        var out = [Int](repeating: 0, count: count)
        if count == 0 { return out }
        let rank = shape.count
        if rank == 0 { out[0] = base; return out }
        var coord = [Int](repeating: 0, count: rank)
        var offset = base
        let last = rank - 1
        let lastStep = steps[last], lastDim = shape[last]
        var i = 0
        while i < count {
            var o = offset
            for _ in 0..<lastDim {
                out[i] = o
                o += lastStep
                i += 1
            }
            // Advance the outer coordinates.
            var d = last - 1
            while d >= 0 {
                coord[d] += 1
                offset += steps[d]
                if coord[d] < shape[d] { break }
                offset -= steps[d] * shape[d]
                coord[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// The flat source index of every output element when each output axis `d` maps its
    /// coordinate `c` to the source offset `tables[d][c]` (`-1` marks a fill element, which
    /// stays `-1` in the result). The output shape is `tables.map(\.count)`.
    static func tabulatedIndices(_ tables: [[Int]]) throws(KernelError) -> [Int] {
        _ = try Shapes.checkedCount(tables.map(\.count))
        var current = [0]
        for table in tables {
            var next: [Int] = []
            next.reserveCapacity(current.count * table.count)
            for off in current {
                if off < 0 {
                    next.append(contentsOf: repeatElement(-1, count: table.count))
                } else {
                    for t in table { next.append(t < 0 ? -1 : off + t) }
                }
            }
            current = next
        }
        return current
    }

    /// The product of statically known dimensions; `nil` when one is unknown or it overflows.
    static func product<S: Sequence>(_ dims: S) -> Int? where S.Element == Int? {
        var p = 1
        for d in dims {
            guard let d else { return nil }
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            p = r
        }
        return p
    }

    /// The sum of statically known terms; `nil` when one is unknown or it overflows.
    static func sum(_ terms: [Int?]) -> Int? {
        var total = 0
        for t in terms {
            guard let t else { return nil }
            let (r, overflow) = total.addingReportingOverflow(t)
            if overflow { return nil }
            total = r
        }
        return total
    }

    /// A shape as a readable list of optional dimensions, for load-time inference.
    static func known(_ shape: [Int?]?) -> [Int]? {
        guard let shape else { return nil }
        var out: [Int] = []
        for d in shape {
            guard let d else { return nil }
            out.append(d)
        }
        return out
    }
}
