import TandemONNX

extension NumpyCell {
    /// The element at `index` of `data`: integers and booleans stay integers, floats become reals.
    init(_ data: TensorData, at index: Int) {
        switch data {
        case .float(let v): self = .real(Double(v[index]))
        case .double(let v): self = .real(v[index])
        case .int64(let v): self = .integer(v[index])
        case .int32(let v): self = .integer(Int64(v[index]))
        case .int8(let v): self = .integer(Int64(v[index]))
        case .uint8(let v): self = .integer(Int64(v[index]))
        case .string(let v): self = .text(v[index])
        case .bool(let v): self = .integer(v[index] ? 1 : 0)
        }
    }
}

extension PredictionTable {
    /// The response as `.npy`: the CSV response's columns (label, then probabilities or values, or the other
    /// outputs' elements), one row per record, typed as numpy would type that table: `<i8` when every cell is
    /// an integer, `<f8` when any is a real, `<U…` when any is text. One column gives a 1-D array.
    func numpy() -> [UInt8] {
        var cells: [NumpyCell] = []
        var columns = 0
        for row in 0..<rows {
            let start = cells.count
            switch labels {
            case .int64(let labels): cells.append(.integer(labels[row]))
            case .string(let labels): cells.append(.text(labels[row]))
            case nil: break
            }
            for matrix in [scores, values] {
                guard let matrix else { continue }
                let base = row * matrix.width
                for j in 0..<matrix.width { cells.append(.real(Double(matrix.values[base + j]))) }
            }
            for (_, tensor) in others {
                let width = tensor.shape.count <= 1 ? 1 : tensor.count / max(tensor.shape[0], 1)
                for j in 0..<width { cells.append(NumpyCell(tensor.data, at: row * width + j)) }
            }
            columns = cells.count - start
        }
        return NumpyArray.encode(cells, rows: rows, columns: columns)
    }
}
