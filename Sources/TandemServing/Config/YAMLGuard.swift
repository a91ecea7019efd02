import Foundation
import Yams

/// Bounds on a configuration file, checked before YAML aliases are expanded, so a hostile or broken file
/// (an alias bomb, thousands of nesting levels, gigabytes) is refused in milliseconds instead of taking
/// gigabytes in `check-config` or a SIGHUP reload.
///
/// Three steps: the file's size before it is read; a linear scan of the text for nesting depth and alias count
/// (conservative: it may over-count in odd plain scalars, never under-count); after composing the YAML node graph
/// (where an alias is shared, not copied), the size the aliases would expand it to, counted with an early stop.
enum YAMLGuard {
    /// Largest configuration file read (Tandem's are a few kilobytes).
    static let maxBytes = 1 << 20
    /// Alias uses (`*name`) per file. Anchors are free; each use can copy a subtree.
    static let maxAliases = 64
    /// Bound on nesting: per line, indentation columns + block indicators (`- `, `? `, `: `) + open flow
    /// collections. Real configs stay under 20.
    static let maxDepth = 100
    /// Nodes in the document once every alias is expanded.
    static let maxNodes = 100_000

    /// Reads `path` as UTF-8 text if it is no larger than `maxBytes`.
    static func read(_ path: String) throws(ConfigError) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxBytes else {
            throw ConfigError("\(path): \(size) bytes is larger than a configuration file may be (\(maxBytes) bytes)")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("\(path): cannot be read: \(error.localizedDescription)")
        }
    }

    /// Parses `text` within the bounds above; `file` names the source in errors.
    static func load(_ text: String, file: String) throws(ConfigError) -> Any? {
        guard text.utf8.count <= maxBytes else {
            throw ConfigError("\(file): larger than a configuration file may be (\(maxBytes) bytes)")
        }
        let scan = scan(text)
        guard scan.depth <= maxDepth else {
            throw ConfigError("\(file): nested deeper than a configuration may be (bound \(maxDepth), line \(scan.deepestLine))")
        }
        guard scan.aliases <= maxAliases else {
            throw ConfigError("\(file): \(scan.aliases) YAML aliases (*name); at most \(maxAliases) are allowed")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError("\(file): not valid YAML: \(error)")
        }
        guard let node else { return nil }
        var budget = maxNodes
        guard fits(node, budget: &budget) else {
            throw ConfigError("\(file): YAML aliases expand to more than \(maxNodes) nodes")
        }
        return node.any
    }

    /// Counts `node`'s expanded size against `budget`; false as soon as it runs out. Recursion depth is the
    /// document's nesting, bounded by the scan.
    private static func fits(_ node: Node, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            for child in sequence where !fits(child, budget: &budget) { return false }
            return true
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard fits(key, budget: &budget), fits(value, budget: &budget) else { return false }
            }
            return true
        }
    }

    struct Scan {
        var depth = 0
        var deepestLine = 0
        var aliases = 0
    }

    /// One pass over the bytes: quotes and comments skipped, flow brackets tracked across lines.
    static func scan(_ text: String) -> Scan {
        var result = Scan()
        var flow = 0
        var quote: UInt8 = 0  // '"' or '\'' while inside a quoted scalar
        var line = 1
        var indent = 0
        var atIndent = true
        var indicators = 0
        var lineFlow = 0
        var previous: UInt8 = 10
        var escaped = false
        var comment = false
        func endLine() {
            let bound = indent + indicators + lineFlow
            if bound > result.depth {
                result.depth = bound
                result.deepestLine = line
            }
        }
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : 10
            if byte == 10 {
                endLine()
                line += 1
                indent = 0
                atIndent = true
                indicators = 0
                lineFlow = flow
                comment = false
                previous = 10
                continue
            }
            defer { previous = byte }
            if comment { continue }
            if atIndent {
                if byte == 32 {
                    indent += 1
                    continue
                }
                atIndent = false
            }
            if quote != 0 {
                if escaped {
                    escaped = false
                } else if quote == 34 && byte == 92 {
                    escaped = true
                } else if byte == quote {
                    quote = 0
                }
                continue
            }
            let tokenStart = previous == 32 || previous == 10 || previous == 9 || previous == 91 || previous == 123
                || previous == 44
            let spaceAfter = next == 32 || next == 10 || next == 9 || next == 13
            switch byte {
            case 35 where previous == 32 || previous == 10 || previous == 9: comment = true  // #
            case 34 where tokenStart, 39 where tokenStart: quote = byte  // " '
            case 91, 123:  // [ {
                flow += 1
                lineFlow = max(lineFlow, flow)
            case 93, 125: flow = max(0, flow - 1)  // ] }
            case 42 where tokenStart: result.aliases += 1  // *
            case 45 where tokenStart && spaceAfter, 63 where tokenStart && spaceAfter: indicators += 1  // - ?
            case 58 where spaceAfter: indicators += 1  // :
            default: break
            }
        }
        endLine()
        return result
    }
}
