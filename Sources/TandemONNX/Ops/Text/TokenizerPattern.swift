import Foundation

/// A Tokenizer regular expression: an RE2 pattern (what onnxruntime compiles) run with Foundation's
/// ICU-based `NSRegularExpression`.
///
/// RE2's Perl and POSIX classes are ASCII-only while ICU's are Unicode, so `\w \W \d \D \s \S \b
/// \B` and `[:alpha:]`-style classes are rewritten to their ASCII definitions first ("café" gives the token "caf" under
/// `\b\w+\b`, as in onnxruntime). Matches are searched with the whole string as context (`^`,
/// `\b` and look-behind see the text before the search start), as RE2's `Match` does.
/// One difference remains: RE2 in onnxruntime picks the leftmost-longest match, ICU the
/// leftmost-first (Perl) one, which only differs for alternations such as `a|ab`.
struct TokenizerPattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable and documented thread-safe.
    private let regex: NSRegularExpression

    init(_ pattern: String, what: String) throws(BuildError) {
        do {
            regex = try NSRegularExpression(pattern: try Self.icuPattern(fromRE2: pattern, what: what), options: [])
        } catch let error as BuildError {
            throw error
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
    /// RE2's POSIX classes are ASCII-only too (negated ones pass through unchanged).
    private static let posixASCII: [String: String] = [
        "alpha": "A-Za-z", "digit": "0-9", "alnum": "0-9A-Za-z", "upper": "A-Z", "lower": "a-z",
        "space": "\\t\\n\\x{0B}\\f\\r ", "blank": "\\t ", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
        "punct": "!-/:-@\\[-`{-~", "cntrl": "\\x{00}-\\x{1F}\\x{7F}", "print": " -~", "graph": "!-~", "ascii": "\\x{00}-\\x{7F}",
    ]
    private static let space = "\\t\\n\\f\\r "

    /// Rewrites RE2's ASCII-only Perl classes and word boundaries for ICU; lazy quantifiers become
    /// greedy and `(?U)` is dropped (leftmost-longest matching ignores greediness); `(?P<name>` is
    /// ICU's `(?<name>`. Flags RE2 lacks (Python's `(?u)`) fail as they do in onnxruntime.
    static func icuPattern(fromRE2 pattern: String, what: String = "pattern") throws(BuildError) -> String {
        let chars = Array(pattern)
        var out = ""
        var inClass = false
        // True right after a quantifier, where a '?' makes it lazy.
        var quantified = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if !inClass, quantified, c == "?" {
                quantified = false
                i += 1
                continue
            }
            quantified = false
            if c == "\\", i + 1 < chars.count {
                let e = chars[i + 1]
                i += 2
                // RE2's one-letter property `\pL` is `\p{L}` for ICU.
                if e == "p" || e == "P", i < chars.count, chars[i] != "{" {
                    out += "\\" + String(e) + "{" + String(chars[i]) + "}"
                    i += 1
                    continue
                }
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
                    let name = String(chars[min(i + 2, end)..<max(i + 2, end - 2)])
                    out += posixASCII[name] ?? String(chars[i..<end])
                    i = end
                    continue
                }
                if c == "]" { inClass = false }
                out.append(c)
                i += 1
                continue
            }
            if c == "(", i + 1 < chars.count, chars[i + 1] == "?" {
                var j = i + 2
                if j < chars.count, chars[j] == "P", j + 1 < chars.count, chars[j + 1] == "<" {
                    out += "(?<"
                    i = j + 2
                    continue
                }
                while j < chars.count, chars[j].isLetter || chars[j] == "-" { j += 1 }
                if j > i + 2, j < chars.count, chars[j] == ")" || chars[j] == ":" {
                    let flags = chars[(i + 2)..<j]
                    if let bad = flags.first(where: { !"imsU-".contains($0) }) {
                        throw BuildError(.invalidAttribute, "\(what) '\(pattern)' uses the flag '\(bad)', which RE2 (onnxruntime's regular expressions) does not have")
                    }
                    let kept = String(flags.filter { $0 != "U" })
                    if chars[j] == ":" {
                        out += "(?" + (kept.contains(where: \.isLetter) ? kept : "") + ":"
                    } else if kept.contains(where: \.isLetter) {
                        out += "(?" + kept + ")"
                    }
                    i = j + 1
                    continue
                }
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
            // A '?' right after '(' opens a group; any other '*', '+', '?' or '}' quantifies.
            quantified = c == "*" || c == "+" || c == "}" || (c == "?" && i > 0 && chars[i - 1] != "(")
            i += 1
        }
        return out
    }
}
