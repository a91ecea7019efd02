import Synchronization
import TandemONNX
import TandemServing

/// The Open Inference Protocol's tensors as an `InvocationCodec`: the core runs it on a worker, so the
/// JSON header is parsed and the tensors read there, never on an event loop.
///
/// One codec per request. `decode` keeps the parsed request (its id, requested outputs and binary flags)
/// for `encode`, and `encode` keeps how many of the answer's bytes are JSON for the door, which writes
/// `Inference-Header-Content-Length` once it has put the model name and routing facts in front.
final class OIPInferCodec: InvocationCodec {
    /// The `Inference-Header-Content-Length` header as sent, nil without one.
    let headerLength: String?
    /// Tandem's id for the request (the response's `id` when the request has none).
    let requestID: String
    private let parsed = Mutex<OIPInferRequest?>(nil)
    private let encoded = Mutex<(jsonLength: Int, hasBinary: Bool)?>(nil)

    init(headerLength: String?, requestID: String) {
        self.headerLength = headerLength
        self.requestID = requestID
    }

    func decode(_ body: [UInt8], for signature: ModelSignature) throws(InvocationFailure) -> DecodedRequest {
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
