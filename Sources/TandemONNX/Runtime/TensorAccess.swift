/// Helpers kernels use to read their inputs and build outputs.
extension Tensor {
    /// The elements converted to float32, as the ai.onnx.ml ops do with numeric input
    /// (`nil` for strings). A float tensor is returned without copying.
    func floatValues() -> [Float]? {
        switch data {
        case .float(let v): return v
        case .double(let v): return v.map { Float($0) }
        case .int64(let v): return v.map { Float($0) }
        case .int32(let v): return v.map { Float($0) }
        case .int8(let v): return v.map { Float($0) }
        case .uint8(let v): return v.map { Float($0) }
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        case .string: return nil
        }
    }

    /// The elements as Int64 when the tensor holds integers (int64 or int32).
    func integerValues() -> [Int64]? {
        switch data {
        case .int64(let v): return v
        case .int32(let v): return v.map { Int64($0) }
        case .int8(let v): return v.map { Int64($0) }
        case .uint8(let v): return v.map { Int64($0) }
        default: return nil
        }
    }

    /// `[rows, columns]` for an ML op's input: rank 1 is one row, rank 2 is `[N, C]`,
    /// higher ranks flatten the leading dimensions into rows (ORT does the same).
    var rowsAndColumns: (rows: Int, columns: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (1, shape[0])
        default:
            let columns = shape[shape.count - 1]
            return (columns == 0 ? 0 : count / columns, columns)
        }
    }
}

/// Shape arithmetic shared by kernels.
enum Shapes {
    /// The number of elements of a shape; `nil` on overflow or a negative dimension.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            total = p
        }
        return total
    }

    /// The most elements a kernel will allocate for one output (1 GiB of float32): a hostile
    /// model must fail the run, not exhaust memory.
    static let maxElements = 1 << 28

    /// The element count of an output shape, failing when it overflows or exceeds `maxElements`.
    static func checkedCount(_ shape: [Int]) throws(KernelError) -> Int {
        guard let n = elementCount(shape), n <= maxElements else {
            throw KernelError("output shape \(shape) is too large (more than \(maxElements) elements)")
        }
        return n
    }

    /// Row-major strides of `shape` (the last dimension has stride 1).
    static func strides(_ shape: [Int]) -> [Int] {
        var out = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            out[i] = acc
            acc &*= shape[i]
        }
        return out
    }

    /// Normalises a possibly negative axis for a tensor of `rank`; `nil` when out of range.
    static func normalizedAxis(_ axis: Int, rank: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        return (a >= 0 && a < rank) ? a : nil
    }
}

/// Reading kernel inputs with clear errors.
enum Inputs {
    /// The tensor at `index`, failing when it is missing or a map sequence.
    static func tensor(_ inputs: [Value?], _ index: Int, _ name: String = "input") throws(KernelError) -> Tensor {
        guard index < inputs.count, let value = inputs[index] else {
            throw KernelError("\(name) (input \(index)) is missing")
        }
        guard case .tensor(let t) = value else {
            throw KernelError("\(name) (input \(index)) must be a tensor, got a sequence of maps")
        }
        return t
    }

    /// The tensor at `index` as float32 values with its row/column split.
    static func floatMatrix(_ inputs: [Value?], _ index: Int = 0) throws(KernelError)
        -> (values: [Float], rows: Int, columns: Int, shape: [Int])
    {
        let t = try tensor(inputs, index)
        guard let values = t.floatValues() else {
            throw KernelError("input \(index) must be numeric, got tensor(\(t.elementType))")
        }
        let (rows, columns) = t.rowsAndColumns
        return (values, rows, columns, t.shape)
    }
}
