/// The request and response body formats Tandem speaks on `/invocations`.
public enum PayloadFormat: String, Sendable, CaseIterable {
    case csv = "text/csv"
    case json = "application/json"
    case jsonLines = "application/jsonlines"
    /// numpy's `.npy` (SageMaker's `NumpySerializer` / `NumpyDeserializer`).
    case npy = "application/x-npy"
    /// RecordIO-framed `Record` protobufs (SageMaker's built-in algorithms, `RecordSerializer`).
    case recordIO = "application/x-recordio-protobuf"

    /// The media type sent in `Content-Type`.
    public var mediaType: String { rawValue }

    /// Maps a media type (lower-cased, without parameters) to a format, accepting common aliases.
    public init?(mediaType: String) {
        switch mediaType {
        case "text/csv", "application/csv", "text/x-csv": self = .csv
        case "application/json", "text/json": self = .json
        case "application/jsonlines", "application/jsonl", "application/x-jsonlines", "application/json-lines",
            "application/x-ndjson", "application/ndjson":
            self = .jsonLines
        case "application/x-npy", "application/npy": self = .npy
        case "application/x-recordio-protobuf": self = .recordIO
        default: return nil
        }
    }
}

/// A parsed media range from `Content-Type` or one element of `Accept`.
struct MediaRange: Equatable {
    var type: String
    var subtype: String
    var quality: Double

    /// `type/subtype` in lower case.
    var essence: String { "\(type)/\(subtype)" }

    /// Parses `text/csv; charset=utf-8; q=0.5`. Returns nil for text that is not `type/subtype`.
    static func parse(_ text: Substring) -> MediaRange? {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        let essence = first.trimmingSpaces().lowercased()
        let pieces = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty else { return nil }
        var quality = 1.0
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "q" else { continue }
            guard let q = Double(pair[1].trimmingSpaces()), q >= 0, q <= 1 else { return nil }
            quality = q
        }
        return MediaRange(type: String(pieces[0]), subtype: String(pieces[1]), quality: quality)
    }

    /// How specifically this range matches `format`: 3 exact, 2 `type/*`, 1 `*/*`, nil no match.
    func specificity(for format: PayloadFormat) -> Int? {
        if type == "*" && subtype == "*" { return 1 }
        if let exact = PayloadFormat(mediaType: essence) { return exact == format ? 3 : nil }
        let formatType = format.mediaType.split(separator: "/")[0]
        if subtype == "*" && type == formatType { return 2 }
        return nil
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
