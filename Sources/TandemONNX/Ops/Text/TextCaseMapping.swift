/// Per-character case conversion as glibc's `towlower` / `towupper` do it in an English UTF-8
/// locale: each Unicode scalar maps to one scalar (Unicode's simple case mapping), so "ß" stays
/// "ß" in upper case and the string keeps its length in characters.
enum TextCaseMapping {
    enum Action: Sendable { case none, lower, upper }

    static func apply(_ action: Action, _ s: String) -> String {
        switch action {
        case .none: return s
        case .lower, .upper:
            // ASCII fast path: no allocation per character.
            if s.utf8.allSatisfy({ $0 < 0x80 }) {
                return action == .lower ? s.lowercased() : s.uppercased()
            }
            var out = String.UnicodeScalarView()
            for c in s.unicodeScalars { out.append(map(c, action)) }
            return String(out)
        }
    }

    /// The simple mapping of one scalar: the full mapping when it is a single scalar, else (for
    /// upper case) the title-case mapping when that is a single scalar, else the scalar itself.
    static func map(_ c: Unicode.Scalar, _ action: Action) -> Unicode.Scalar {
        let p = c.properties
        switch action {
        case .none: return c
        case .lower:
            if c.value == 0x130 { return "i" }  // İ: the one lower-case special casing with a simple mapping
            return single(p.lowercaseMapping) ?? c
        case .upper:
            return single(p.uppercaseMapping) ?? single(p.titlecaseMapping) ?? c
        }
    }

    private static func single(_ s: String) -> Unicode.Scalar? {
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first
    }
}
