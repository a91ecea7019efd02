/// A parsed Einsum equation: each input term and the output term as label lists, where a label
/// is a letter or the ellipsis marker, and whether the output was written (explicit mode).
struct EinsumEquation: Sendable {
    enum Label: Hashable, Sendable { case letter(Character), ellipsis }

    var inputs: [[Label]]
    /// `nil` in implicit mode (no `->`).
    var output: [Label]?

    init(_ text: String) throws(BuildError) {
        let compact = text.filter { !$0.isWhitespace }
        let sides = compact.components(separatedBy: "->")
        guard sides.count <= 2 else { throw BuildError(.invalidAttribute, "equation '\(text)' has more than one '->'") }
        inputs = []
        for term in sides[0].split(separator: ",", omittingEmptySubsequences: false) {
            inputs.append(try Self.labels(String(term), text))
        }
        output = sides.count == 2 ? try Self.labels(sides[1], text) : nil
        if let output {
            let letters = output.filter { $0 != .ellipsis }
            guard Set(letters).count == letters.count else { throw BuildError(.invalidAttribute, "equation '\(text)' repeats a label in its output") }
            let known = Set(inputs.joined())
            guard output.allSatisfy({ known.contains($0) }) else { throw BuildError(.invalidAttribute, "equation '\(text)' has an output label no input has") }
        }
    }

    private static func labels(_ term: String, _ text: String) throws(BuildError) -> [Label] {
        var out: [Label] = []
        var chars = Array(term)[...]
        while let c = chars.first {
            if c == "." {
                guard chars.starts(with: ["." , ".", "."]), !out.contains(.ellipsis) else {
                    throw BuildError(.invalidAttribute, "equation '\(text)' has a malformed or repeated ellipsis")
                }
                out.append(.ellipsis)
                chars = chars.dropFirst(3)
            } else {
                guard c.isASCII, c.isLetter else { throw BuildError(.invalidAttribute, "equation '\(text)' has an invalid character '\(c)'") }
                out.append(.letter(c))
                chars = chars.dropFirst()
            }
        }
        return out
    }
}
