import Foundation

/// Parses CSV (label first, no header) and LIBSVM text into rows, naming the file and line of any bad row.
struct DataParser {
    /// Rows parsed so far: features row-major, with `width` columns for CSV (fixed by the first row),
    /// or sparse entries for LIBSVM (widened once every file is read).
    var format: DataFormat
    /// CSV: the number of feature columns (set by the first row, or given for validation).
    var width: Int?
    private(set) var labels: [Float] = []
    private(set) var values: [Float] = []
    /// LIBSVM: (row, feature, value) entries.
    private var sparse: [(Int32, Int32, Float)] = []
    private(set) var maxIndex = -1

    init(format: DataFormat, width: Int? = nil) {
        self.format = format
        self.width = width
    }

    /// Parses one file's text.
    mutating func parse(_ data: [UInt8], file: String) throws(TrainingError) {
        var lineNumber = 0
        var start = 0
        let n = data.count
        while start < n {
            var end = start
            while end < n && data[end] != 0x0A { end += 1 }
            lineNumber += 1
            var stop = end
            if stop > start && data[stop - 1] == 0x0D { stop -= 1 }
            if !Self.isBlank(data, start, stop) {
                switch format {
                case .csv: try csvRow(data, start, stop, file: file, line: lineNumber)
                case .libsvm: try libsvmRow(data, start, stop, file: file, line: lineNumber)
                }
            }
            start = end + 1
        }
    }

    /// The parsed rows as a dataset (LIBSVM: `features` columns, at least max index + 1).
    func dataset(features minimum: Int = 0) -> Dataset {
        switch format {
        case .csv:
            return Dataset(rows: labels.count, features: width ?? 0, values: values, labels: labels)
        case .libsvm:
            let f = max(minimum, maxIndex + 1)
            var dense = [Float](repeating: .nan, count: labels.count * f)
            for (r, c, v) in sparse { dense[Int(r) * f + Int(c)] = v }
            return Dataset(rows: labels.count, features: f, values: dense, labels: labels)
        }
    }

    private static func isBlank(_ d: [UInt8], _ a: Int, _ b: Int) -> Bool {
        for i in a..<b where d[i] != 0x20 && d[i] != 0x09 { return false }
        return true
    }

    /// A number, or nil; empty, `nan`, `NaN`, `NA`, `?` and `null` are missing (returned as NaN).
    static func number(_ d: [UInt8], _ a: Int, _ b: Int) -> Float? {
        var lo = a
        var hi = b
        while lo < hi && (d[lo] == 0x20 || d[lo] == 0x09 || d[lo] == 0x22) { lo += 1 }
        while hi > lo && (d[hi - 1] == 0x20 || d[hi - 1] == 0x09 || d[hi - 1] == 0x22) { hi -= 1 }
        if lo == hi { return .nan }
        let text = String(decoding: d[lo..<hi], as: UTF8.self)
        if let v = Float(text) { return v }
        switch text.lowercased() {
        case "nan", "na", "?", "null", "none": return .nan
        default: return nil
        }
    }

    private static func excerpt(_ d: [UInt8], _ a: Int, _ b: Int) -> String {
        let s = String(decoding: d[a..<min(b, a + 60)], as: UTF8.self)
        return b - a > 60 ? s + "…" : s
    }

    private mutating func csvRow(_ d: [UInt8], _ a: Int, _ b: Int, file: String, line: Int) throws(TrainingError) {
        let rowStart = values.count
        var fieldStart = a
        var column = 0
        var i = a
        while i <= b {
            if i == b || d[i] == 0x2C {
                guard let v = Self.number(d, fieldStart, i) else {
                    values.removeSubrange(rowStart...)
                    let what = column == 0 ? "label" : "value in column \(column + 1)"
                    throw TrainingError("\(file):\(line): non-numeric \(what) '\(Self.excerpt(d, fieldStart, i))'")
                }
                if column == 0 {
                    guard !v.isNaN else { throw TrainingError("\(file):\(line): the label (first column) is missing") }
                    labels.append(v)
                } else {
                    values.append(v)
                }
                column += 1
                fieldStart = i + 1
            }
            i += 1
        }
        let features = column - 1
        if let width {
            guard features == width else {
                labels.removeLast()
                values.removeSubrange(rowStart...)
                throw TrainingError("\(file):\(line): ragged row: \(column) columns where the data has \(width + 1) (label + \(width) features)")
            }
        } else {
            guard features >= 1 else { throw TrainingError("\(file):\(line): a row needs a label and at least one feature") }
            width = features
        }
    }

    private mutating func libsvmRow(_ d: [UInt8], _ a: Int, _ b: Int, file: String, line: Int) throws(TrainingError) {
        var tokens: [(Int, Int)] = []
        var i = a
        while i < b {
            while i < b && (d[i] == 0x20 || d[i] == 0x09) { i += 1 }
            let s = i
            while i < b && d[i] != 0x20 && d[i] != 0x09 { i += 1 }
            if i > s { tokens.append((s, i)) }
        }
        if let hash = tokens.firstIndex(where: { d[$0.0] == 0x23 }) { tokens.removeSubrange(hash...) }  // a comment
        guard let first = tokens.first else { return }
        guard let label = Self.number(d, first.0, first.1), !label.isNaN else {
            throw TrainingError("\(file):\(line): non-numeric label '\(Self.excerpt(d, first.0, first.1))'")
        }
        let row = Int32(labels.count)
        var previous = -1
        for (s, e) in tokens.dropFirst() {
            guard let colon = (s..<e).first(where: { d[$0] == 0x3A }) else {
                throw TrainingError("\(file):\(line): malformed entry '\(Self.excerpt(d, s, e))' (expected index:value)")
            }
            let key = String(decoding: d[s..<colon], as: UTF8.self)
            if key == "qid" { continue }
            guard let index = Int(key), index >= 0, index < Int(Int32.max) else {
                throw TrainingError("\(file):\(line): malformed feature index '\(key)'")
            }
            guard let value = Self.number(d, colon + 1, e), colon + 1 < e else {
                throw TrainingError("\(file):\(line): malformed value in '\(Self.excerpt(d, s, e))'")
            }
            guard index != previous else { throw TrainingError("\(file):\(line): feature index \(index) appears twice") }
            previous = index
            maxIndex = max(maxIndex, index)
            sparse.append((row, Int32(index), value))
        }
        labels.append(label)
    }
}
