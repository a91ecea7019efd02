import Synchronization
import TandemArchive
import TandemONNX
import TandemServing

/// The Open Inference Protocol's tensors as an `InvocationCodec`: the core runs it on a worker, so the
/// JSON header is parsed and the tensors read there, never on an event loop.
///
/// One codec per request. `decode` keeps the parsed request (its id, requested outputs and binary flags)
/// for `encode`, and `encode` keeps how many of the answer's bytes are JSON for the door, which writes
/// `Inference-Header-Content-Length` once it has put the model name and routing facts in front.
///
/// A body sent with `Content-Encoding: gzip` or `deflate` is inflated on the worker too, bounded by the
/// server's body limit (413 past it, counted as `tandem_limit_hits_total{limit="max_inflated_body_bytes"}`).
final class OIPInferCodec: InvocationCodec {
    /// The `Inference-Header-Content-Length` header as sent, nil without one.
    let headerLength: String?
    /// Tandem's id for the request (the response's `id` when the request has none).
    let requestID: String
    /// The body's `Content-Encoding` when it is compressed (tritonclient's `request_compression_algorithm`).
    let compression: Compression?
    /// The most bytes a compressed body may inflate to (the server's body limit, `SAGEMAKER_MAX_PAYLOAD_IN_MB`).
    let maxInflatedBytes: Int
    private let parsed = Mutex<OIPInferRequest?>(nil)
    private let encoded = Mutex<(jsonLength: Int, hasBinary: Bool)?>(nil)

    /// The request body encodings Tandem inflates, as Triton does.
    enum Compression: String, Sendable {
        case gzip
        /// HTTP's `deflate`: zlib's format.
        case deflate

        /// The coding a `Content-Encoding` header names; nil for `identity`; throws for one Tandem does not read.
        static func of(header: String?) throws(UnsupportedEncoding) -> Compression? {
            guard let header else { return nil }
            switch String(header.lowercased().filter { !$0.isWhitespace }) {
            case "", "identity": return nil
            case "gzip", "x-gzip": return .gzip
            case "deflate": return .deflate
            default: throw UnsupportedEncoding(name: header)
            }
        }
    }

    /// A `Content-Encoding` other than gzip, deflate and identity.
    struct UnsupportedEncoding: Error {
        let name: String
    }

    init(headerLength: String?, requestID: String, compression: Compression?, maxInflatedBytes: Int) {
        self.headerLength = headerLength
        self.requestID = requestID
        self.compression = compression
        self.maxInflatedBytes = maxInflatedBytes
    }

    /// The body as the protocol reads it: inflated here, on the worker, when it came compressed (the
    /// `Inference-Header-Content-Length` counts the inflated bytes, as in Triton).
    private func plain(_ body: [UInt8]) throws(InvocationFailure) -> [UInt8] {
        guard let compression else { return body }
        do {
            return try inflateBody(body, limit: maxInflatedBytes)
        } catch {
            switch error {
            case .tooLarge(let limit):
                throw .badInput(PayloadError(
                    status: 413, code: Self.inflatedTooLarge,
                    message: "the \(compression.rawValue) body inflates to more than \(limit) bytes (SAGEMAKER_MAX_PAYLOAD_IN_MB)"))
            case .invalid(let reason):
                throw OIPInferRequest.bad("bad_content_encoding", "the body is not valid \(compression.rawValue) data: \(reason)")
            }
        }
    }

    /// The error code of a compressed body that inflates past the limit (counted as a limit hit).
    static let inflatedTooLarge = "inflated_body_too_large"

    func decode(_ compressedBody: [UInt8], for signature: ModelSignature) throws(InvocationFailure) -> DecodedRequest {
        let body = try plain(compressedBody)
        let request = try OIPInferRequest(body: body, headerLength: headerLength)
        var feeds: [String: Tensor] = [:]
        for input in request.inputs {
            guard let declared = signature.inputs.first(where: { $0.name == input.name }) else {
                throw OIPInferRequest.bad(
                    "unknown_input",
                    "input '\(input.name)' is not one of the model's inputs (\(signature.inputs.map(\.name).joined(separator: ", ")))")
            }
            feeds[input.name] = try OIPTensorReader.tensor(input, body: body, for: declared)
        }
        let missing = signature.inputs.map(\.name).filter { feeds[$0] == nil }
        guard missing.isEmpty else {
            throw OIPInferRequest.bad("missing_input", "the model also needs input(s) \(missing.joined(separator: ", "))")
        }
        if let outputs = request.outputs {
            for output in outputs where !signature.outputs.contains(where: { $0.name == output.name }) {
                throw OIPInferRequest.bad(
                    "unknown_output",
                    "output '\(output.name)' is not one of the model's outputs (\(signature.outputs.map(\.name).joined(separator: ", ")))")
            }
        }
        // Records are the first input's outer dimension (one for a scalar input).
        let rows = signature.inputs.first.flatMap { feeds[$0.name]?.shape.first } ?? 1
        guard rows > 0 else { throw OIPInferRequest.bad("empty_batch", "the inputs hold no records (their first dimension is 0)") }
        parsed.withLock { $0 = request }
        return DecodedRequest(feeds: feeds, rows: rows)
    }

    func encode(_ predictions: Predictions) throws(InvocationFailure) -> InvocationAnswer {
        guard let request = parsed.withLock({ $0 }) else {
            throw .modelFailed(code: "internal_error", message: "the OIP codec encoded a request it had not decoded")
        }
        let result = try OIPTensorWriter.encode(
            predictions.outputs, signature: predictions.signature, request: request, requestID: requestID)
        encoded.withLock { $0 = (result.jsonLength, result.hasBinary) }
        return InvocationAnswer(
            body: result.bytes, mediaType: result.hasBinary ? "application/octet-stream" : "application/json")
    }

    /// How many bytes of the encoded answer are JSON, and whether binary outputs follow.
    var encodedLayout: (jsonLength: Int, hasBinary: Bool)? {
        encoded.withLock { $0 }
    }
}
