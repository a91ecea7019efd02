import TandemONNX

/// Decode, predict, check: the one path from a request body to a variant's predictions, run on a worker
/// for the production answer and for every shadow copy alike (only what is done with the predictions
/// differs). Failures come out typed: the caller's fault (`badInput`, `modelRefusedInput`) or the
/// model's (`modelFailed`).
struct InvocationPipeline: Sendable {
    let model: any InferenceModel
    let modelID: ModelID
    let rendering: OutputRendering
    let codec: any InvocationCodec

    init(variant: Variant, model: any InferenceModel, codec: any InvocationCodec) {
        self.model = model
        self.modelID = variant.modelID
        self.rendering = variant.rendering
        self.codec = codec
    }

    /// The model's predictions for `body`; `decodedAt` is set when the body has been decoded and the model
    /// starts (the split between `compute_input` and `compute_infer`, `ComputeSplit`).
    func predict(_ body: [UInt8], decodedAt: inout ContinuousClock.Instant?) throws(InvocationFailure) -> Predictions {
        let decoded = try codec.decode(body, for: model.signature)
        decodedAt = .now
        let outputs: [String: Value]
        do {
            outputs = try model.predict(decoded.feeds, rows: decoded.rows)
        } catch let error as ModelRunError {
            throw error.isClientError
                ? .modelRefusedInput(code: error.code, message: error.message)
                : .modelFailed(code: error.code, message: "model \(modelID) failed: \(error)")
        } catch {
            throw .modelFailed(code: "model_error", message: "model \(modelID) failed: \(error)")
        }
        let table: PredictionTable
        do {
            table = try PredictionTable(outputs: outputs, signature: model.signature, rows: decoded.rows)
        } catch {
            throw .modelFailed(code: error.code, message: "model \(modelID) failed: \(error)")
        }
        do {
            try MissingValues.check(table, decoded, modelID: modelID.description)
        } catch {
            throw InvocationFailure(payload: error)
        }
        return Predictions(outputs: outputs, signature: model.signature, rendering: rendering, rows: decoded.rows, table: table)
    }
}

/// SageMaker's formats, as negotiated on the loop before the job was queued.
struct NegotiatedCodec: InvocationCodec {
    let request: PayloadFormat
    let response: PayloadFormat

    func decode(_ body: [UInt8], for signature: ModelSignature) throws(InvocationFailure) -> DecodedRequest {
        do {
            return try RequestDecoder.decode(body, format: request, inputs: signature.inputs)
        } catch {
            throw InvocationFailure(payload: error)
        }
    }

    func encode(_ predictions: Predictions) throws(InvocationFailure) -> InvocationAnswer {
        InvocationAnswer(
            body: ResponseEncoder.encode(predictions.table, format: response, rendering: predictions.rendering),
            mediaType: response.mediaType)
    }
}

extension InvocationFailure {
    /// A payload error as the core reports it: the caller's bad input, or (for a model whose signature or
    /// outputs the payload layer cannot handle) the model's failure.
    init(payload error: PayloadError) {
        self = error.status >= 500 ? .modelFailed(code: error.code, message: error.message) : .badInput(error)
    }
}
