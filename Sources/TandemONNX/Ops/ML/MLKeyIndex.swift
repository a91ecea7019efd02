/// A lookup from typed keys (string, integer or floating) to positions in a value table, shared by
/// LabelEncoder and CategoryMapper. Floating keys compare by value with every NaN equal to every
/// other NaN and -0 equal to +0, as onnxruntime's LabelEncoder hashes them.
enum MLKeyIndex: Sendable {
    case strings([String: Int])
    /// Integer keys; `input` is the element type the input must have (int64 or int32).
    case integers([Int64: Int], input: ElementType)
    /// Floating keys by canonical bit pattern; `input` is float or double.
    case floating([UInt64: Int], input: ElementType)

    /// Indexes `keys`; on duplicates the first (`lastWins == false`) or last occurrence wins.
    init(_ keys: TensorData, lastWins: Bool, what: String) throws(BuildError) {
        func index<K: Hashable>(_ values: [K]) -> [K: Int] {
            var map: [K: Int] = [:]
            map.reserveCapacity(values.count)
            for (i, k) in values.enumerated() where lastWins || map[k] == nil { map[k] = i }
            return map
        }
        switch keys {
        case .string(let v): self = .strings(index(v))
        case .int64(let v): self = .integers(index(v), input: .int64)
        case .int32(let v): self = .integers(index(v.map { Int64($0) }), input: .int32)
        case .float(let v): self = .floating(index(v.map { Self.canonical(Double($0)) }), input: .float)
        case .double(let v): self = .floating(index(v.map(Self.canonical)), input: .double)
        default: throw BuildError(.invalidAttribute, "\(what) has element type \(keys.elementType); keys must be string, int64, int32, float or double")
        }
    }

    /// The element type inputs must have.
    var inputType: ElementType {
        switch self {
        case .strings: .string
        case .integers(_, let e), .floating(_, let e): e
        }
    }

    static func canonical(_ d: Double) -> UInt64 {
        if d.isNaN { return Double.nan.bitPattern }
        return d == 0 ? 0 : d.bitPattern
    }

    /// The table position of each element of `data`, or `missing` when the key is absent.
    func positions(_ data: TensorData, missing: Int) throws(KernelError) -> [Int] {
        switch (self, data) {
        case (.strings(let m), .string(let v)): return v.map { m[$0] ?? missing }
        case (.integers(let m, .int64), .int64(let v)): return v.map { m[$0] ?? missing }
        case (.integers(let m, .int32), .int32(let v)): return v.map { m[Int64($0)] ?? missing }
        case (.floating(let m, .float), .float(let v)): return v.map { m[Self.canonical(Double($0))] ?? missing }
        case (.floating(let m, .double), .double(let v)): return v.map { m[Self.canonical($0)] ?? missing }
        default: throw KernelError("expects tensor(\(inputType)) input, got tensor(\(data.elementType))")
        }
    }
}

extension TensorData {
    /// The values followed by one more value of the same type (a lookup table plus its default);
    /// `nil` when the types differ.
    func mlAppending(_ extra: TensorData) -> TensorData? {
        switch (self, extra) {
        case (.string(let a), .string(let b)): .string(a + b)
        case (.int64(let a), .int64(let b)): .int64(a + b)
        case (.int32(let a), .int32(let b)): .int32(a + b)
        case (.float(let a), .float(let b)): .float(a + b)
        case (.double(let a), .double(let b)): .double(a + b)
        default: nil
        }
    }
}

/// A table lookup: position `i` of `keys` maps to `values[i]`; absent keys map to the last entry
/// of `values` (the default).
struct MLKeyTable: Sendable {
    let keys: MLKeyIndex
    /// One value per key position plus the default at the end.
    let values: TensorData

    func lookup(_ x: Tensor) throws(KernelError) -> Tensor {
        let positions = try keys.positions(x.data, missing: values.count - 1)
        return Tensor(shape: x.shape, data: values.selecting(positions))
    }
}

/// Reading a single map input (`map(K, V)`), as DictVectorizer and CastMap take.
enum MLMapInput {
    static func map(_ inputs: [Value?], _ index: Int = 0) throws(KernelError) -> MapValue {
        guard index < inputs.count, let value = inputs[index] else {
            throw KernelError("input \(index) is missing")
        }
        switch value {
        case .map(let m):
            guard m.keys.count == m.values.count else {
                throw KernelError("the map has \(m.keys.count) keys but \(m.values.count) values")
            }
            return m
        case .tensor(let t): throw KernelError("input \(index) must be a map, got tensor(\(t.elementType))")
        case .mapSequence: throw KernelError("input \(index) must be a single map, got a sequence of maps")
        }
    }

    /// Fails at load when input `index` is known to be something other than a map.
    static func requireMap(_ ctx: NodeContext, _ index: Int = 0) throws(BuildError) {
        guard index < ctx.inputTypes.count, let t = ctx.inputTypes[index] else { return }
        switch t {
        case .unknown: return
        default: throw BuildError(.typeMismatch, "input \(index) must be a map, got \(t.text)")
        }
    }
}
