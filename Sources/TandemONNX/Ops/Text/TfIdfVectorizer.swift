/// `TfIdfVectorizer` (default domain 9): counts the pool's n-grams (sizes
/// `min_gram_length...max_gram_length`, items up to `max_skip_count` apart) in each row of a
/// `[C]` or `[B, C]` input (string, int64 or int32) into a float `[output]` / `[B, output]`
/// tensor, `output = max(ngram_indexes) + 1`; n-gram `i` of the pool lands in column
/// `ngram_indexes[i]`. As onnxruntime 1.31 does it, each occurrence of n-gram `i` adds 1 (TF),
/// adds `weights[i]` (TFIDF) or sets the column to `weights[i]` (IDF); without weights IDF gives
/// 1 and TFIDF the count. Unigrams are counted once whatever the skip.
struct TfIdfVectorizerKernel: Kernel {
    enum Mode: Sendable { case tf, idf, tfidf }
    enum Vocabulary: Sendable {
        case strings([String: Int64])
        case integers
    }
    let mode: Mode
    let minGram: Int
    let maxGram: Int
    let maxSkip: Int
    let pool: NgramPool
    let vocabulary: Vocabulary
    /// Output column of each n-gram id.
    let columns: [Int]
    let weights: [Float]
    let outputSize: Int

    static let schema = OperatorSchema(opType: "TfIdfVectorizer", domain: "", versions: [9], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        let a = ctx.attributes
        let mode: Mode
        switch try a.string("mode") {
        case "TF": mode = .tf
        case "IDF": mode = .idf
        case "TFIDF": mode = .tfidf
        case let other: throw BuildError(.invalidAttribute, "mode '\(other ?? "")' is not one of TF, IDF, TFIDF")
        }
        let minGram = try a.requiredInt("min_gram_length"), maxGram = try a.requiredInt("max_gram_length")
        let maxSkip = try a.requiredInt("max_skip_count")
        let counts = try a.requiredInts("ngram_counts"), indexes = try a.requiredInts("ngram_indexes")
        guard minGram > 0, maxGram >= minGram else {
            throw BuildError(.invalidAttribute, "need 0 < min_gram_length <= max_gram_length, got \(minGram) and \(maxGram)")
        }
        guard maxSkip >= 0, maxSkip < Int64(Int32.max) else { throw BuildError(.invalidAttribute, "max_skip_count must be non-negative, got \(maxSkip)") }
        guard !counts.isEmpty, maxGram <= Int64(counts.count) else {
            throw BuildError(.invalidAttribute, "ngram_counts (\(counts.count) values) must cover max_gram_length \(maxGram)")
        }
        guard !indexes.isEmpty, let greatest = indexes.max(), indexes.allSatisfy({ $0 >= 0 }), greatest < Int64(Shapes.maxElements) else {
            throw BuildError(.invalidAttribute, "ngram_indexes must be non-empty, non-negative and reasonably small")
        }
        let weights = try a.floats("weights") ?? []
        guard weights.isEmpty || weights.count == indexes.count else {
            throw BuildError(.invalidAttribute, "weights has \(weights.count) values but ngram_indexes has \(indexes.count)")
        }

        // Pool items as int64 ids (strings numbered in pool order).
        let items: [Int64]
        let vocabulary: Vocabulary
        if let strings = try a.strings("pool_strings") {
            guard !strings.isEmpty else { throw BuildError(.invalidAttribute, "pool_strings must not be empty") }
            try ctx.requireInput(0, oneOf: [.string])
            var ids: [String: Int64] = [:]
            items = strings.map { s in
                if let id = ids[s] { return id }
                let id = Int64(ids.count)
                ids[s] = id
                return id
            }
            vocabulary = .strings(ids)
        } else {
            guard let ints = try a.ints("pool_int64s"), !ints.isEmpty else {
                throw BuildError(.invalidAttribute, "one of pool_strings or pool_int64s is required")
            }
            try ctx.requireInput(0, oneOf: [.int64, .int32])
            items = ints
            vocabulary = .integers
        }

        var pool = NgramPool()
        var ngramID = 0
        for (i, startValue) in counts.enumerated() {
            let size = i + 1
            let endValue = i + 1 < counts.count ? counts[i + 1] : Int64(items.count)
            guard startValue >= 0, endValue >= startValue, endValue <= Int64(items.count) else {
                throw BuildError(.invalidAttribute, "ngram_counts is out of bounds for \(size)-grams")
            }
            let start = Int(startValue), length = Int(endValue) - start
            guard length % size == 0 else { throw BuildError(.invalidAttribute, "the \(size)-gram section of the pool has \(length) items, not a whole number of \(size)-grams") }
            let n = length / size
            if Int64(size) >= minGram, Int64(size) <= maxGram {
                for g in 0..<n {
                    let from = start + g * size
                    guard pool.insert(items[from..<(from + size)], id: ngramID) else {
                        throw BuildError(.invalidAttribute, "the pool repeats a \(size)-gram")
                    }
                    ngramID += 1
                }
            } else {
                ngramID += n
            }
        }
        guard ngramID <= indexes.count else {
            throw BuildError(.invalidAttribute, "the pool has \(ngramID) n-grams but ngram_indexes only \(indexes.count) values")
        }
        let outputSize = Int(greatest) + 1
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            switch s.count {
            case 0, 1: shape = [outputSize]
            case 2: shape = [s[0], outputSize]
            default: throw BuildError(.typeMismatch, "the input must be [C] or [B, C], got rank \(s.count)")
            }
        }
        let kernel = TfIdfVectorizerKernel(
            mode: mode, minGram: Int(minGram), maxGram: Int(maxGram), maxSkip: Int(maxSkip), pool: pool,
            vocabulary: vocabulary, columns: indexes.map { Int($0) }, weights: weights, outputSize: outputSize)
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(.float, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        let rows: Int, width: Int, shape: [Int]
        switch x.shape.count {
        case 0: (rows, width, shape) = (1, 1, [outputSize])
        case 1: (rows, width, shape) = (1, x.shape[0], [outputSize])
        case 2:
            guard x.shape[0] > 0 else { throw KernelError("the input must be [C] or [B, C] with B > 0, got shape \(x.shape)") }
            (rows, width, shape) = (x.shape[0], x.shape[1], [x.shape[0], outputSize])
        default: throw KernelError("the input must be [C] or [B, C], got shape \(x.shape)")
        }
        let items: [Int64]
        switch (vocabulary, x.data) {
        case (.strings(let ids), .string(let v)): items = v.map { ids[$0] ?? -1 }
        case (.integers, .int64(let v)): items = v
        case (.integers, .int32(let v)): items = v.map { Int64($0) }
        case (.strings, _): throw KernelError("the pool holds strings but the input is tensor(\(x.elementType))")
        case (.integers, _): throw KernelError("the pool holds integers but the input is tensor(\(x.elementType))")
        }
        var counts = [Float](repeating: 0, count: try Shapes.checkedCount(shape))
        if !items.isEmpty {
            for r in 0..<rows { count(items, from: r * width, to: (r + 1) * width, into: &counts, base: r * outputSize) }
        }
        return [.tensor(Tensor(shape: shape, data: .float(counts)))]
    }

    /// Adds the n-gram counts of `items[begin..<end]` to `counts[base...]`.
    private func count(_ items: [Int64], from begin: Int, to end: Int, into counts: inout [Float], base: Int) {
        var startSize = minGram
        if startSize == 1 {
            for i in begin..<end {
                if let node = pool.step(0, items[i]), pool.ids[node] >= 0 { record(pool.ids[node], &counts, base) }
            }
            startSize = 2
            if startSize > maxGram { return }
        }
        // A skip wider than the row finds nothing, so a huge max_skip_count costs nothing extra.
        for skip in 1...min(maxSkip + 1, max(end - begin, 1)) {
            var start = begin
            while start < end {
                // Stop once not even the shortest wanted n-gram fits.
                if start + skip * (startSize - 1) >= end { break }
                var node = 0, size = 1, item = start
                while size <= maxGram, item < end, let next = pool.step(node, items[item]) {
                    if size >= startSize, pool.ids[next] >= 0 { record(pool.ids[next], &counts, base) }
                    node = next
                    size += 1
                    item += skip
                }
                start += 1
            }
        }
    }

    /// One occurrence of n-gram `id` in the row whose output starts at `base`.
    @inline(__always) private func record(_ id: Int, _ out: inout [Float], _ base: Int) {
        let i = base + columns[id]
        switch mode {
        case .tf: out[i] += 1
        case .idf: out[i] = weights.isEmpty ? 1 : weights[id]
        case .tfidf: out[i] += weights.isEmpty ? 1 : weights[id]
        }
    }
}
