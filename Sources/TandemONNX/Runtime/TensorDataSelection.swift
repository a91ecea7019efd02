/// Type-independent element movement used by Gather, Concat and ArrayFeatureExtractor.
extension TensorData {
    /// A new buffer holding `self[indices[i]]` for every i. Indices must be in range.
    func selecting(_ indices: [Int]) -> TensorData {
        switch self {
        case .float(let v): return .float(indices.map { v[$0] })
        case .double(let v): return .double(indices.map { v[$0] })
        case .int64(let v): return .int64(indices.map { v[$0] })
        case .int32(let v): return .int32(indices.map { v[$0] })
        case .int8(let v): return .int8(indices.map { v[$0] })
        case .uint8(let v): return .uint8(indices.map { v[$0] })
        case .string(let v): return .string(indices.map { v[$0] })
        case .bool(let v): return .bool(indices.map { v[$0] })
        }
    }

    /// Copies contiguous runs: for each `(part, start, length)` appends `parts[part][start..<start+length]`.
    /// All parts must have this buffer's element type.
    static func gatherRuns(_ parts: [TensorData], _ runs: [(part: Int, start: Int, length: Int)]) -> TensorData? {
        guard let first = parts.first else { return nil }
        func collect<T>(_ extract: (TensorData) -> [T]?) -> [T]? {
            var arrays: [[T]] = []
            for p in parts {
                guard let a = extract(p) else { return nil }
                arrays.append(a)
            }
            var out: [T] = []
            out.reserveCapacity(runs.reduce(0) { $0 + $1.length })
            for r in runs { out.append(contentsOf: arrays[r.part][r.start..<(r.start + r.length)]) }
            return out
        }
        switch first {
        case .float: return collect { if case .float(let v) = $0 { v } else { nil } }.map { .float($0) }
        case .double: return collect { if case .double(let v) = $0 { v } else { nil } }.map { .double($0) }
        case .int64: return collect { if case .int64(let v) = $0 { v } else { nil } }.map { .int64($0) }
        case .int32: return collect { if case .int32(let v) = $0 { v } else { nil } }.map { .int32($0) }
        case .int8: return collect { if case .int8(let v) = $0 { v } else { nil } }.map { .int8($0) }
        case .uint8: return collect { if case .uint8(let v) = $0 { v } else { nil } }.map { .uint8($0) }
        case .string: return collect { if case .string(let v) = $0 { v } else { nil } }.map { .string($0) }
        case .bool: return collect { if case .bool(let v) = $0 { v } else { nil } }.map { .bool($0) }
        }
    }
}
