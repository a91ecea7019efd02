import Foundation
import TandemJSON

/// One captured invocation, as the sink hands it to the writer: references to the bodies (no copy), the
/// ids and the time. The writer turns it into a JSON line (`jsonLine()`).
public struct CaptureEvent: Sendable {
    /// Tandem's request id (`eventMetadata.eventId`).
    public var eventID: String
    /// The caller's `X-Amzn-SageMaker-Inference-Id` (`eventMetadata.inferenceId`), if sent.
    public var inferenceID: String?
    /// When the invocation was answered, in seconds since 1970 (`eventMetadata.inferenceTime`, and the
    /// hour folder the record goes to).
    public var time: Double
    public var endpoint: String
    public var variant: String
    public var model: ModelID
    /// A shadow variant's answer to a copy of the request (nobody received it).
    public var shadow: Bool
    /// The request body (`captureData.endpointInput`), when inputs are captured.
    public var input: CapturedBody?
    /// The answer body (`captureData.endpointOutput`), when outputs are captured.
    public var output: CapturedBody?

    public init(
        eventID: String, inferenceID: String?, time: Double, endpoint: String, variant: String, model: ModelID,
        shadow: Bool, input: CapturedBody?, output: CapturedBody?
    ) {
        self.eventID = eventID
        self.inferenceID = inferenceID
        self.time = time
        self.endpoint = endpoint
        self.variant = variant
        self.model = model
        self.shadow = shadow
        self.input = input
        self.output = output
    }

    /// Body bytes this event holds while it waits (what `queue_bytes` bounds).
    var heldBytes: Int { (input?.data.count ?? 0) + (output?.data.count ?? 0) }

    /// The record in SageMaker's capture schema plus a `tandem` member (endpoint, variant, model, version,
    /// shadow), ending in a newline:
    ///
    ///     {"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT","data":"1,2\n",
    ///      "encoding":"CSV"},"endpointOutput":{...,"mode":"OUTPUT",...}},"eventMetadata":{"eventId":"...",
    ///      "inferenceId":"...","inferenceTime":"2026-12-07T16:40:00Z"},"eventVersion":"0","tandem":{...}}
    public func jsonLine() -> [UInt8] {
        var w = JSONWriter(capacity: 256 + heldBytes + heldBytes / 3)
        w.beginObject()
        w.key("captureData")
        w.beginObject()
        if let input { Self.write(input, mode: "INPUT", as: "endpointInput", to: &w) }
        if let output { Self.write(output, mode: "OUTPUT", as: "endpointOutput", to: &w) }
        w.endObject()
        w.key("eventMetadata")
        w.beginObject()
        w.member("eventId", string: eventID)
        if let inferenceID { w.member("inferenceId", string: inferenceID) }
        w.member("inferenceTime", string: UTCTime(secondsSinceEpoch: time).iso8601)
        w.endObject()
        w.member("eventVersion", string: "0")
        w.key("tandem")
        w.beginObject()
        w.member("endpoint", string: endpoint)
        w.member("variant", string: variant)
        w.member("model", string: model.name)
        w.member("version", int: model.version)
        w.member("shadow", bool: shadow)
        w.endObject()
        w.endObject()
        var line = w.bytes
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// One `endpointInput`/`endpointOutput` object. CSV and JSON bodies are written as text when they are
    /// valid UTF-8, else (like every other type) as base64 with encoding BASE64.
    private static func write(_ body: CapturedBody, mode: String, as name: String, to w: inout JSONWriter) {
        w.key(name)
        w.beginObject()
        w.member("observedContentType", string: body.contentType)
        w.member("mode", string: mode)
        var encoding = body.encoding
        if encoding != .base64, let text = String(validating: body.data, as: UTF8.self) {
            w.member("data", string: text)
        } else {
            encoding = .base64
            w.member("data", string: Data(body.data).base64EncodedString())
        }
        w.member("encoding", string: encoding.rawValue)
        w.endObject()
    }
}

/// A captured request or answer body with its observed content type and the encoding the config gives it.
public struct CapturedBody: Sendable {
    public var data: [UInt8]
    public var contentType: String
    public var encoding: CaptureEncoding

    public init(data: [UInt8], contentType: String, encoding: CaptureEncoding) {
        self.data = data
        self.contentType = contentType
        self.encoding = encoding
    }
}
