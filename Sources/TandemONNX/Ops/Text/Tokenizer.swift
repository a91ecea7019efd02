/// `Tokenizer` (com.microsoft 1), the op skl2onnx emits for CountVectorizer / TfidfVectorizer,
/// with onnxruntime's semantics. The input is `[C]` or `[N, C]` strings; the output appends a
/// token axis: `input shape + [T]`, each string's tokens followed by `pad_value`, T the largest
/// token count (plus 2 with `mark`, which wraps each string's tokens in U+0002 ... U+0003 before
/// the padding). When no string has a token T is 0 (no markers); an empty input gives
/// `[0]` / `[N, 0]`.
///
/// - `separators == [""]` or `tokenexp == "."`: one token per character.
/// - `separators`: regular expressions applied in turn, each splitting every token so far;
///   pieces shorter than `mincharnum` characters are dropped.
/// - `tokenexp`: the tokens are its matches of at least `mincharnum` characters (a shorter match
///   restarts the search one character after its start). With `tokenexpsplit = 1` (an attribute
///   the ONNX-ML documentation describes but onnxruntime rejects) the expression splits instead,
///   like a single separator.
///
/// Regular expressions are RE2 patterns run through `TokenizerPattern` (see its notes).
struct TokenizerKernel: Kernel {
    enum Method: Sendable {
        case characters
        case split([TokenizerPattern])
        case match(TokenizerPattern)
    }
    let mark: Bool
    let pad: String
    let minChars: Int
    let method: Method

    static let startText = "\u{02}"
    static let endText = "\u{03}"

    static let schema = OperatorSchema(opType: "Tokenizer", domain: OpsetTable.microsoftDomain, versions: [1], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.string])
        let a = ctx.attributes
        let mark = (try a.requiredInt("mark")) != 0
        guard let pad = try a.string("pad_value") else { throw BuildError(.invalidAttribute, "required attribute 'pad_value' (STRING) is missing") }
        let minChars = try a.requiredInt("mincharnum")
        guard minChars > 0, minChars <= Int64(Int32.max) else { throw BuildError(.invalidAttribute, "mincharnum must be positive, got \(minChars)") }
        let method: Method
        if let separators = try a.strings("separators") {
            guard !separators.isEmpty else { throw BuildError(.invalidAttribute, "separators must not be empty") }
            if separators == [""] {
                method = .characters
            } else {
                var patterns: [TokenizerPattern] = []
                for s in separators {
                    guard !s.isEmpty else { throw BuildError(.invalidAttribute, "an empty separator is only allowed alone (character tokenization)") }
                    patterns.append(try TokenizerPattern(s, what: "separator"))
                }
                method = .split(patterns)
            }
        } else if let expression = try a.string("tokenexp") {
            guard !expression.isEmpty else { throw BuildError(.invalidAttribute, "tokenexp must not be empty") }
            let split = (try a.int("tokenexpsplit") ?? 0) != 0
            if expression == "." && !split {
                method = .characters
            } else {
                let pattern = try TokenizerPattern(expression, what: "tokenexp")
                method = split ? .split([pattern]) : .match(pattern)
            }
        } else {
            throw BuildError(.invalidAttribute, "one of 'separators' or 'tokenexp' is required")
        }
        if case .characters = method, minChars > 1 {
            throw BuildError(.invalidAttribute, "mincharnum \(minChars) is too big for character tokenization")
        }
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            guard s.count == 1 || s.count == 2 else { throw BuildError(.typeMismatch, "the input must be [C] or [N, C], got rank \(s.count)") }
            shape = s + [nil]
        }
        let kernel = TokenizerKernel(mark: mark, pad: pad, minChars: Int(minChars), method: method)
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(.string, shape: shape)])
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        guard case .string(let strings) = x.data else { throw KernelError("expects tensor(string), got tensor(\(x.elementType))") }
        guard x.shape.count == 1 || x.shape.count == 2 else {
            throw KernelError("the input must be [C] or [N, C], got shape \(x.shape)")
        }
        if strings.isEmpty {
            return [.tensor(Tensor(shape: x.shape.count == 2 ? [x.shape[0], 0] : [0], data: .string([])))]
        }
        var rows: [[String]] = []
        rows.reserveCapacity(strings.count)
        var longest = 0
        for s in strings {
            let tokens = tokenize(s)
            longest = max(longest, tokens.count)
            rows.append(tokens)
        }
        if longest == 0 {
            return [.tensor(Tensor(shape: x.shape + [0], data: .string([])))]
        }
        let width = longest + (mark ? 2 : 0)
        let count = try Shapes.checkedCount(x.shape + [width])
        var out: [String] = []
        out.reserveCapacity(count)
        for row in rows {
            if mark { out.append(Self.startText) }
            out.append(contentsOf: row)
            if mark { out.append(Self.endText) }
            for _ in row.count..<longest { out.append(pad) }
        }
        return [.tensor(Tensor(shape: x.shape + [width], data: .string(out)))]
    }

    func tokenize(_ s: String) -> [String] {
        switch method {
        case .characters:
            return s.unicodeScalars.map { String($0) }
        case .split(let patterns):
            var pieces = [s]
            for p in patterns {
                var next: [String] = []
                for piece in pieces { split(piece, by: p, into: &next) }
                pieces = next
            }
            return pieces
        case .match(let p):
            return matches(s, of: p)
        }
    }

    /// The text between the separator's matches, pieces of at least `minChars` characters.
    private func split(_ text: String, by pattern: TokenizerPattern, into tokens: inout [String]) {
        let units = Array(text.utf16)
        var start = 0
        while start < units.count, let m = pattern.firstMatch(in: text, utf16Count: units.count, from: start) {
            keep(units, start..<m.lowerBound, into: &tokens)
            // An empty match skips the character it stands before.
            start = m.isEmpty ? Self.nextCharacter(units, m.lowerBound) : m.upperBound
        }
        if start < units.count { keep(units, start..<units.count, into: &tokens) }
    }

    /// The matches of at least `minChars` characters; a shorter match restarts one character on.
    private func matches(_ text: String, of pattern: TokenizerPattern) -> [String] {
        let units = Array(text.utf16)
        var tokens: [String] = []
        var start = 0
        while start <= units.count, let m = pattern.firstMatch(in: text, utf16Count: units.count, from: start) {
            let token = String(decoding: units[m], as: UTF16.self)
            if token.unicodeScalars.count >= minChars {
                tokens.append(token)
                start = m.upperBound
            } else {
                start = Self.nextCharacter(units, m.lowerBound)
            }
        }
        return tokens
    }

    private func keep(_ units: [UInt16], _ range: Range<Int>, into tokens: inout [String]) {
        guard !range.isEmpty else { return }
        let token = String(decoding: units[range], as: UTF16.self)
        if token.unicodeScalars.count >= minChars { tokens.append(token) }
    }

    /// The UTF-16 offset one character (scalar) after `i`; past the end when `i` is at the end.
    static func nextCharacter(_ units: [UInt16], _ i: Int) -> Int {
        if i < units.count, UTF16.isLeadSurrogate(units[i]), i + 1 < units.count { return i + 2 }
        return i + 1
    }
}
