import Foundation

/// Splits CSV text into records and cells: one record per line, comma-separated, CRLF and a trailing
/// newline tolerated, double-quoted cells with `""` escapes (no newlines inside quotes).
enum CSVReader {
    /// The lines of `text` without line terminators; trailing empty lines are dropped.
    static func records(_ text: String) -> [Substring] {
        // "\r\n" is a single Character (grapheme cluster) in Swift, so splitting on "\n" alone would
        // leave CRLF bodies as one line.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for i in lines.indices where lines[i].last == "\r" { lines[i] = lines[i].dropLast() }
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        return lines
    }

    /// The cells of one record. Commas inside double quotes do not split.
    static func cells(_ line: Substring) -> [Substring] {
        guard line.contains("\"") else { return line.split(separator: ",", omittingEmptySubsequences: false) }
        var cells: [Substring] = []
        var start = line.startIndex
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if c == "\"" {
                inQuotes.toggle()
            } else if c == "," && !inQuotes {
                cells.append(line[start..<index])
                start = line.index(after: index)
            }
            index = line.index(after: index)
        }
        cells.append(line[start..<line.endIndex])
        return cells
    }

    /// A cell without its surrounding quotes, with `""` turned back into `"`.
    static func unquote(_ cell: Substring) -> Substring {
        guard cell.count >= 2, cell.first == "\"", cell.last == "\"" else { return cell }
        let inner = cell.dropFirst().dropLast()
        guard inner.contains("\"") else { return inner }
        return Substring(String(inner).replacingOccurrences(of: "\"\"", with: "\""))
    }

    /// `text` as a CSV cell, quoted when it holds a comma, a quote or a line break.
    static func quoteIfNeeded(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
