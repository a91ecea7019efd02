/// SageMaker's training layout under one root (`/opt/ml` in a training job, anywhere with `--ml-root`).
public struct MLPaths: Sendable {
    public var root: String

    public init(root: String = "/opt/ml") {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public var hyperparameters: String { root + "/input/config/hyperparameters.json" }
    public var inputDataConfig: String { root + "/input/config/inputdataconfig.json" }
    public var resourceConfig: String { root + "/input/config/resourceconfig.json" }
    public func channel(_ name: String) -> String { root + "/input/data/" + name }
    public var model: String { root + "/model" }
    public var output: String { root + "/output" }
    public var failure: String { root + "/output/failure" }
    public var checkpoints: String { root + "/checkpoints" }
}
