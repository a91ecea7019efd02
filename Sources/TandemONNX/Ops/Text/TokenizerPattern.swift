import Foundation

/// A Tokenizer regular expression: an RE2 pattern (what onnxruntime compiles) run with Foundation's
/// ICU-based `NSRegularExpression`.
///
/// RE2's Perl classes are ASCII-only while ICU's are Unicode, so `\w \W \d \D \s \S \b \B` are
/// rewritten to their ASCII definitions first ("café" gives the token "caf" under
/// `\b\w+\b`, as in onnxruntime). Matches are searched with the whole string as context (`^`,
/// `\b` and look-behind see the text before the search start), as RE2's `Match` does.
/// One difference remains: RE2 in onnxruntime picks the leftmost-longest match, ICU the
/// leftmost-first (Perl) one, which only differs for alternations such as `a|ab`.
struct TokenizerPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable and documented thread-safe.
    private let regex: NSRegularExpression

    init(_ pattern: String, what: String) throws(BuildError) {
        do {
            regex = try NSRegularExpression(pattern: Self.icuPattern(fromRE2: pattern), options: [])
        } catch {
            throw BuildError(.invalidAttribute, "\(what) '\(pattern)' is not a valid regular expression")
        }
    }

    /// The first match in `utf16[start...]` of `text` as a UTF-16 range.
    func firstMatch(in text: String, utf16Count: Int, from start: Int) -> Range<Int>? {
        guard start <= utf16Count else { return nil }
        let range = NSRange(location: start, length: utf16Count - start)
        guard let m = regex.firstMatch(in: text, options: [.withTransparentBounds, .withoutAnchoringBounds], range: range),
              m.range.location != NSNotFound else { return nil }
        return m.range.location..<(m.range.location + m.range.length)
    }

    private static let word = "0-9A-Za-z_"
    private static let space = "\\t\\n\\f\\r "

    /// Rewrites RE2's ASCII-only Perl classes and word boundaries for ICU.
    static func icuPattern(fromRE2 pattern: String) -> String {
        let chars = Array(pattern)
        var out = ""
        var inClass = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let e = chars[i + 1]
                i += 2
                if inClass {
                    switch e {
                    case "w": out += word
                    case "d": out += "0-9"
                    case "s": out += space
                    default: out += "\\" + String(e)
                    }
                    continue
                }
                switch e {
                case "w": out += "[\(word)]"
                case "W": out += "[^\(word)]"
                case "d": out += "[0-9]"
                case "D": out += "[^0-9]"
                case "s": out += "[\(space)]"
                case "S": out += "[^\(space)]"
                case "b": out += "(?:(?<=[\(word)])(?![\(word)])|(?<![\(word)])(?=[\(word)]))"
                case "B": out += "(?:(?<=[\(word)])(?=[\(word)])|(?<![\(word)])(?![\(word)]))"
                default: out += "\\" + String(e)
                }
                continue
            }
            if inClass {
                if c == "[", i + 1 < chars.count, chars[i + 1] == ":" {
                    // A POSIX class such as [:alpha:] inside a class: copy it whole.
                    var j = i + 2
                    while j + 1 < chars.count, !(chars[j] == ":" && chars[j + 1] == "]") { j += 1 }
                    let end = min(j + 2, chars.count)
                    out += String(chars[i..<end])
                    i = end
                    continue
                }
                if c == "]" { inClass = false }
                out.append(c)
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
                out.append(c)
                i += 1
                // A leading ']' (after an optional '^') is a literal member.
                if i < chars.count, chars[i] == "^" { out.append("^"); i += 1 }
                if i < chars.count, chars[i] == "]" { out.append("\\]"); i += 1 }
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
