/// `StringNormalizer` (default domain 10), with onnxruntime's semantics: the input is `[C]` or
/// `[1, C]` (C > 0); elements equal to a stop word are removed (compared after case folding when
/// `is_case_sensitive` is 0, the default), then `case_change_action` (NONE default, LOWER,
/// UPPER) is applied. When every element is removed the output is one empty string (`[1]` or
/// `[1, 1]`).
///
/// Case mapping is per character, Unicode's simple mapping, as glibc does in `en_US.UTF-8`
/// (onnxruntime's default locale); `locale` must name an English, C or POSIX locale: other
/// locales' special rules (Turkish dotted i...) are not implemented.
struct StringNormalizerKernel: Kernel {
    let action: TextCaseMapping.Action
    /// The case stop words and inputs are compared in; `nil` when case-sensitive.
    let compareCase: TextCaseMapping.Action?
    let stopwords: Set<String>

    static let schema = OperatorSchema(opType: "StringNormalizer", domain: "", versions: [10], inputs: 1...1, outputs: 1...1) { ctx throws(BuildError) in
        try ctx.requireInput(0, oneOf: [.string])
        let action: TextCaseMapping.Action
        switch try ctx.attributes.string("case_change_action") ?? "NONE" {
        case "NONE": action = .none
        case "LOWER": action = .lower
        case "UPPER": action = .upper
        case let other: throw BuildError(.invalidAttribute, "case_change_action '\(other)' is not one of NONE, LOWER, UPPER")
        }
        let sensitive = (try ctx.attributes.int("is_case_sensitive") ?? 0) != 0
        if let locale = try ctx.attributes.string("locale"), !Self.supported(locale) {
            throw BuildError(.invalidAttribute, "locale '\(locale)' is not supported; only English (en_US), C and POSIX case mapping is implemented")
        }
        let compare: TextCaseMapping.Action? = sensitive ? nil : (action == .upper ? .upper : .lower)
        var stops: Set<String> = []
        for w in try ctx.attributes.strings("stopwords") ?? [] {
            guard !w.isEmpty else { throw BuildError(.invalidAttribute, "empty stop words are not allowed") }
            let key = compare.map { TextCaseMapping.apply($0, w) } ?? w
            guard stops.insert(key).inserted else { throw BuildError(.invalidAttribute, "duplicate stop word '\(w)'") }
        }
        var shape: [Int?]? = nil
        if let s = ctx.inputShape(0) {
            guard s.count == 1 || s.count == 2 else {
                throw BuildError(.typeMismatch, "the input must be [C] or [1, C], got rank \(s.count)")
            }
            shape = s.count == 1 ? [nil] : [1, nil]
        }
        let kernel = StringNormalizerKernel(action: action, compareCase: compare, stopwords: stops)
        return BuiltKernel(kernel: kernel, outputTypes: [.tensor(.string, shape: shape)])
    }

    static func supported(_ locale: String) -> Bool {
        let l = locale.lowercased()
        return l.isEmpty || l == "c" || l == "posix" || l.hasPrefix("c.") || l == "en" || l.hasPrefix("en_") || l.hasPrefix("en-") || l.hasPrefix("en.")
    }

    func run(_ inputs: [Value?]) throws(KernelError) -> [Value] {
        let x = try Inputs.tensor(inputs, 0)
        guard case .string(let values) = x.data else { throw KernelError("expects tensor(string), got tensor(\(x.elementType))") }
        let twoDimensional: Bool
        switch x.shape.count {
        case 1 where x.shape[0] > 0: twoDimensional = false
        case 2 where x.shape[0] == 1 && x.shape[1] > 0: twoDimensional = true
        default: throw KernelError("the input must be [C] or [1, C] with C > 0, got shape \(x.shape)")
        }
        var out: [String] = []
        out.reserveCapacity(values.count)
        for s in values {
            if stopwords.isEmpty {
                out.append(TextCaseMapping.apply(action, s))
                continue
            }
            if let compareCase {
                let folded = TextCaseMapping.apply(compareCase, s)
                if stopwords.contains(folded) { continue }
                out.append(action == .none ? s : folded)
            } else {
                if stopwords.contains(s) { continue }
                out.append(TextCaseMapping.apply(action, s))
            }
        }
        if out.isEmpty { out = [""] }
        let shape = twoDimensional ? [1, out.count] : [out.count]
        return [.tensor(Tensor(shape: shape, data: .string(out)))]
    }
}
