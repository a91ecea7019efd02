import TandemONNX

/// A loaded model version that runs a batch of rows: an ONNX graph or a synthetic load-test model.
///
/// Implementations are immutable after loading and safe to call from many worker threads at once.
public protocol InferenceModel: Sendable {
    /// The inputs the model expects and the outputs it returns.
    var signature: ModelSignature { get }
    /// What kind of artifact this is, for logs and `/ping` details (`onnx`, `synthetic`).
    var kind: String { get }
    /// Runs `rows` rows. `feeds` holds one tensor per signature input, batch dimension first.
    func predict(_ feeds: [String: Tensor], rows: Int) throws -> [String: Value]
}

/// Names one version of one model in the repository (`breast-cancer-logreg`, 2).
public struct ModelID: Sendable, Hashable, CustomStringConvertible {
    /// The model's directory name in the repository.
    public var name: String
    /// The numeric version directory.
    public var version: Int

    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(name)/\(version)" }
}

/// A failure raised while a model runs; the server answers it with a 5xx (or 4xx when `isClientError`).
public struct ModelRunError: Error, Sendable, CustomStringConvertible {
    /// Short machine-readable code (`model_error`, `synthetic_error`).
    public var code: String
    /// What went wrong, for the client and the log.
    public var message: String
    /// True when the input was at fault (e.g. an unknown category the model refuses): answered 400.
    public var isClientError: Bool

    public init(code: String, message: String, isClientError: Bool = false) {
        self.code = code
        self.message = message
        self.isClientError = isClientError
    }

    public var description: String { message }
}
