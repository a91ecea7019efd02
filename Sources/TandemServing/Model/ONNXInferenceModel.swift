import TandemONNX

/// An ONNX graph run by Tandem's own runtime (`TandemONNX`).
public struct ONNXInferenceModel: InferenceModel {
    public let model: ONNXModel
    public var signature: ModelSignature { model.signature }
    public var kind: String { "onnx" }

    /// Loads and validates `path`; the error names the node, op, domain and opset at fault.
    public init(path: String) throws {
        model = try ONNXModel(contentsOf: path)
    }

    /// Wraps a model already loaded.
    public init(model: ONNXModel) {
        self.model = model
    }

    public func predict(_ feeds: [String: Tensor], rows: Int) throws -> [String: Value] {
        do {
            return try model.run(feeds)
        } catch let error as ONNXRunError {
            // Run errors come from the input (e.g. an unknown category the model refuses): the client's fault.
            throw ModelRunError(code: "model_rejected_input", message: error.description, isClientError: true)
        }
    }
}

extension ModelLoader {
    /// Loads ONNX files with Tandem's own runtime.
    public static let standard = ModelLoader { path in
        try ONNXInferenceModel(path: path)
    }
}
