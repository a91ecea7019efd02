/// The statically known type of a value in the graph: what load-time inference knows.
///
/// Shapes use `nil` for an unknown dimension; a `nil` shape means the rank is unknown too.
enum ValueType: Sendable, Equatable {
    case tensor(ElementType?, shape: [Int?]?)
    case mapSequence(key: ElementType)
    case unknown

    /// The element type when this is a tensor with a known element type.
    var elementType: ElementType? {
        if case .tensor(let e, _) = self { return e }
        return nil
    }

    /// The shape when this is a tensor with a known rank.
    var shape: [Int?]? {
        if case .tensor(_, let s) = self { return s }
        return nil
    }

    /// The rank when known.
    var rank: Int? { shape?.count }

    var isMapSequence: Bool {
        if case .mapSequence = self { return true }
        return false
    }

    /// A readable form for error messages: `tensor(float)[?,30]`.
    var text: String {
        switch self {
        case .tensor(let e, let s):
            let elem = e.map { $0.description } ?? "?"
            let dims = s.map { "[" + $0.map { $0.map(String.init) ?? "?" }.joined(separator: ",") + "]" } ?? ""
            return "tensor(\(elem))\(dims)"
        case .mapSequence(let k): return "seq(map(\(k),float))"
        case .unknown: return "unknown"
        }
    }
}
