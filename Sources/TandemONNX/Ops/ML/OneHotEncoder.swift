/// `OneHotEncoder` (ai.onnx.ml 1): output shape = input shape + [len(cats)], float.
/// Strings compare byte-exactly; numbers compare as integers after a cast. An unknown
/// category gives a zero vector when `zeros=1` (default) and fails the run when `zeros=0`.
struct OneHotEncoderKernel: Kernel {
    enum Categories: Sendable {
        case strings([String: Int], count: Int)
        case integers([Int64: Int], count: Int)
    }
    let categories: Categories
    let zeros: Bool

    static let schema = OperatorSchema(opType: "OneHotEncoder", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let strings = try ctx.attributes.strings("cats_strings") ?? []
        let ints = try ctx.attributes.ints("cats_int64s") ?? []
        let zeros = (try ctx.attributes.int("zeros") ?? 1) != 0
        let categories: Categories
        if !strings.isEmpty, ints.isEmpty {
            try ctx.requireInput(0, oneOf: [.string])
            var map: [String: Int] = [:]
            for (i, s) in strings.enumerated() where map[s] == nil { map[s] = i }
            categories = .strings(map, count: strings.count)
        } else if !ints.isEmpty, strings.isEmpty {
            try ctx.requireInput(0, oneOf: [.int64, .int32, .float, .double])
            var map: [Int64: Int] = [:]
            for (i, v) in ints.enumerated() where map[v] == nil { map[v] = i }
            categories = .integers(map, count: ints.count)
        } else {
            throw BuildError(.invalidAttribute, "exactly one of 'cats_strings' or 'cats_int64s' must be given and non-empty")
        }
        let count: Int
        switch categories {
        case .strings(_, let c), .integers(_, let c): count = c
        }
        let shape = ctx.inputShape(0).map { $0 + [count] }
        return BuiltKernel(kernel: OneHotEncoderKernel(categories: categories, zeros: zeros), outputTypes: [.tensor(.float, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        let width: Int
        var positions: [Int?] = []
        positions.reserveCapacity(x.count)
        switch categories {
        case .strings(let map, let count):
            width = count
            guard case .string(let values) = x.data else { throw KernelError("expects tensor(string), got tensor(\(x.elementType))") }
            for v in values { positions.append(map[v]) }
        case .integers(let map, let count):
            width = count
            let keys: [Int64]
            switch x.data {
            case .int64(let v): keys = v
            case .int32(let v): keys = v.map { Int64($0) }
            case .float(let v): keys = v.map { CastKernel.truncateToInt64(Double($0)) }
            case .double(let v): keys = v.map(CastKernel.truncateToInt64)
            default: throw KernelError("expects a numeric tensor, got tensor(\(x.elementType))")
            }
            for k in keys { positions.append(map[k]) }
        }
        _ = try Shapes.checkedCount(x.shape + [width])
        var out = [Float](repeating: 0, count: positions.count * width)
        for (i, p) in positions.enumerated() {
            if let p {
                out[i * width + p] = 1
            } else if !zeros {
                throw KernelError("Unknown Category and zeros = 0")
            }
        }
        return [.tensor(Tensor(shape: x.shape + [width], data: .float(out)))]
    }
}
