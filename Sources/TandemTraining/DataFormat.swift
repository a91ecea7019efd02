/// The channel content types SageMaker's built-in XGBoost reads.
public enum DataFormat: String, Sendable {
    /// `text/csv`: label in the first column, no header; an empty field is a missing value.
    case csv
    /// `text/libsvm`: `label index:value ...`; absent indices are missing values.
    case libsvm

    /// Parses a channel's `ContentType` (`text/csv`, `text/csv; label_size=1`, `csv`, `text/libsvm`, `libsvm`).
    public init(contentType: String) throws(TrainingError) {
        let base = contentType.split(separator: ";").first.map { String($0).trimmed.lowercased() } ?? ""
        switch base {
        case "text/csv", "csv", "": self = .csv
        case "text/libsvm", "libsvm", "text/x-libsvm": self = .libsvm
        default:
            throw TrainingError("content type '\(contentType)' is not supported: use text/csv (label first, no header) or text/libsvm")
        }
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\r" || c == "\n" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" || c == "\n" { s.removeLast() }
        return String(s)
    }
}
