/// `DictVectorizer` (ai.onnx.ml 1): turns one map into a `[1, V]` tensor ordered by
/// `string_vocabulary` or `int64_vocabulary` (exactly one); keys missing from the map give 0
/// (or "" for string values), keys outside the vocabulary are ignored. A vocabulary may repeat a
/// key (onnxruntime accepts such models): every position of that key gets the value.
struct DictVectorizerKernel: Kernel {
    enum Vocabulary: Sendable {
        case strings([String: [Int]])
        case ints([Int64: [Int]])
    }
    let vocabulary: Vocabulary
    let width: Int

    static let schema = OperatorSchema(opType: "DictVectorizer", domain: OpsetTable.mlDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try MLMapInput.requireMap(ctx)
        let strings = try ctx.attributes.strings("string_vocabulary") ?? []
        let ints = try ctx.attributes.ints("int64_vocabulary") ?? []
        func positions<K: Hashable>(_ keys: [K]) -> [K: [Int]] {
            var map: [K: [Int]] = [:]
            for (i, k) in keys.enumerated() { map[k, default: []].append(i) }
            return map
        }
        let kernel: DictVectorizerKernel
        if !strings.isEmpty, ints.isEmpty {
            kernel = DictVectorizerKernel(vocabulary: .strings(positions(strings)), width: strings.count)
        } else if !ints.isEmpty, strings.isEmpty {
            kernel = DictVectorizerKernel(vocabulary: .ints(positions(ints)), width: ints.count)
        } else {
            throw BuildError(.invalidAttribute, "exactly one of 'string_vocabulary' or 'int64_vocabulary' must be given and non-empty")
        }
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(nil, shape: [1, kernel.width])])
    }

    private struct Scatter: TensorVisitor {
        let columns: [[Int]?]
        let width: Int
        func visit<T: TensorScalar>(_ values: [T]) throws(KernelError) -> TensorData {
            var out = [T](repeating: T.zero, count: width)
            for (i, cols) in columns.enumerated() {
                guard let cols else { continue }
                for c in cols { out[c] = values[i] }
            }
            return T.wrap(out)
        }
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let map = try MLMapInput.map(inputs)
        switch map.values.elementType {
        case .float, .double, .int64, .string: break
        default: throw KernelError("map values must be float, double, int64 or string, got \(map.values.elementType)")
        }
        let columns: [[Int]?]
        switch (vocabulary, map.keys) {
        case (.strings(let v), .string(let keys)): columns = keys.map { v[$0] }
        case (.ints(let v), .int64(let keys)): columns = keys.map { v[$0] }
        case (.strings, .int64): throw KernelError("the vocabulary has string keys but the map has int64 keys")
        case (.ints, .string): throw KernelError("the vocabulary has int64 keys but the map has string keys")
        }
        let data = try map.values.visit(Scatter(columns: columns, width: width))
        return [.tensor(Tensor(shape: [1, width], data: data))]
    }
}
