/// Chooses request and response formats from `Content-Type` and `Accept`, as SageMaker clients send them.
public struct ContentNegotiation: Sendable {
    /// The response format for a missing `Accept` or `*/*` (`SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`).
    public var defaultAccept: PayloadFormat

    public init(defaultAccept: PayloadFormat = .json) {
        self.defaultAccept = defaultAccept
    }

    /// The request body's format.
    ///
    /// A missing `Content-Type` (boto3 sends none when the caller omits it) is read as `.npy` or RecordIO
    /// when the body starts with their magic, as JSON when its first non-space byte is `{` or `[`, else as CSV. An unsupported type throws a 415 error.
    public func requestFormat(contentType: String?, body: [UInt8]) throws(PayloadError) -> PayloadFormat {
        guard let contentType, !contentType.allSatisfy({ $0 == " " }) else {
            if NumpyArray.hasMagic(body) { return .npy }
            if RecordIO.hasMagic(body) { return .recordIO }
            let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .csv
        }
        if let exact = PayloadFormat(mediaType: contentType) { return exact }  // the common case, no parsing
        guard let range = MediaRange.parse(Substring(contentType)), let format = PayloadFormat(mediaType: range.essence)
        else {
            throw PayloadError(
                status: 415, code: "unsupported_media_type",
                message: "Content-Type '\(contentType)' is not supported; send one of "
                    + PayloadFormat.allCases.map(\.mediaType).joined(separator: ", "))
        }
        return format
    }

    /// The response format for an `Accept` header: the supported type with the highest q-value (ties go
    /// to the more specific range, then to the order JSON, CSV, JSON Lines). `*/*` alone, or no header,
    /// gives `defaultAccept`. Throws a 406 error when nothing acceptable is supported.
    public func responseFormat(accept: String?) throws(PayloadError) -> PayloadFormat {
        guard let accept, accept.contains(where: { $0 != " " }) else { return defaultAccept }
        if let exact = PayloadFormat(mediaType: accept) { return exact }  // the common case, no parsing
        var ranges: [MediaRange] = []
        for element in accept.split(separator: ",") where !element.trimmingSpaces().isEmpty {
            if let range = MediaRange.parse(element) { ranges.append(range) }
        }
        var best: (format: PayloadFormat, quality: Double)?
        for format in [defaultAccept] + PayloadFormat.allCases.filter({ $0 != defaultAccept }) {
            // The most specific range that matches decides this format's quality (RFC 9110 12.5.1).
            var quality: Double?
            var specificity = 0
            for range in ranges {
                if let s = range.specificity(for: format), s > specificity {
                    specificity = s
                    quality = range.quality
                }
            }
            guard let quality, quality > 0 else { continue }
            if let current = best, quality <= current.quality { continue }
            best = (format, quality)
        }
        guard let best else {
            throw PayloadError(
                status: 406, code: "not_acceptable",
                message: "none of the types in Accept '\(accept)' can be produced; supported: "
                    + PayloadFormat.allCases.map(\.mediaType).joined(separator: ", "))
        }
        return best.format
    }
}
