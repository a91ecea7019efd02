/// Reading and emitting class labels (`classlabels_ints|int64s` or `classlabels_strings`).
extension ModelSignature.ClassLabels {
    /// Reads exactly one of the two label attributes; `nil` when neither is present.
    static func read(_ attrs: NodeAttributes, ints: String, strings: String) throws(BuildError) -> Self? {
        let i = try attrs.ints(ints), s = try attrs.strings(strings)
        switch (i, s) {
        case (let i?, nil) where !i.isEmpty: return .int64(i)
        case (nil, let s?) where !s.isEmpty: return .string(s)
        case (let i?, let s?) where !i.isEmpty && !s.isEmpty:
            throw BuildError(.invalidAttribute, "both '\(ints)' and '\(strings)' are set; exactly one label list is allowed")
        case (let i?, _) where !i.isEmpty: return .int64(i)
        case (_, let s?) where !s.isEmpty: return .string(s)
        default: return nil
        }
    }

    var count: Int {
        switch self {
        case .int64(let v): v.count
        case .string(let v): v.count
        }
    }

    var elementType: ElementType {
        switch self {
        case .int64: .int64
        case .string: .string
        }
    }

    /// A `[N]` label tensor from per-row label positions (each in range).
    func tensor(_ positions: [Int]) -> Tensor {
        switch self {
        case .int64(let v): Tensor(shape: [positions.count], data: .int64(positions.map { v[$0] }))
        case .string(let v): Tensor(shape: [positions.count], data: .string(positions.map { v[$0] }))
        }
    }

    var mapKeys: MapKeys {
        switch self {
        case .int64(let v): .int64(v)
        case .string(let v): .string(v)
        }
    }
}
