import Foundation
import TandemServing

/// Where the served models and the endpoint config come from.
public enum ModelSource: Sendable, Equatable, CustomStringConvertible {
    /// A model directory: `model.onnx` (one model, variant AllTraffic), `synthetic.yaml`, or
    /// `endpoint.yaml` plus a repository.
    case modelDirectory(String)
    /// An explicit endpoint file (its `repository:` names the models).
    case endpointFile(String)

    public var description: String {
        switch self {
        case .modelDirectory(let d): "model directory \(d)"
        case .endpointFile(let f): "endpoint config \(f)"
        }
    }

    /// Resolution order: `--config`, then `--model-dir`, then `SM_MODEL_DIR`, then `/opt/ml/model` when
    /// it exists, then the bundled `config/endpoint.yaml` under `TANDEM_HOME` or the working directory.
    public static func resolve(
        config: String?, modelDirectory: String?, environment env: [String: String],
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> ModelSource {
        if let config { return .endpointFile(config) }
        if let modelDirectory { return .modelDirectory(modelDirectory) }
        if let dir = env["SM_MODEL_DIR"], !dir.isEmpty { return .modelDirectory(dir) }
        if fileExists("/opt/ml/model") { return .modelDirectory("/opt/ml/model") }
        let home = env["TANDEM_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.currentDirectoryPath
        return .endpointFile(home + "/config/endpoint.yaml")
    }

    /// Reads the endpoint config this source describes.
    public func endpointConfig(environment: [String: String]) throws(ConfigError) -> EndpointConfig {
        switch self {
        case .endpointFile(let file):
            guard FileManager.default.fileExists(atPath: file) else {
                throw ConfigError("endpoint config \(file) does not exist")
            }
            return try EndpointConfig.load(file: file, environment: environment)
        case .modelDirectory(let directory):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigError("model directory \(directory) does not exist")
            }
            let endpointFile = directory + "/endpoint.yaml"
            if FileManager.default.fileExists(atPath: endpointFile) {
                return try EndpointConfig.load(file: endpointFile, environment: environment)
            }
            for artifact in ["model.onnx", "synthetic.yaml"] where FileManager.default.fileExists(atPath: directory + "/" + artifact) {
                return try singleModel(directory: directory, name: environment["TANDEM_ENDPOINT_NAME"])
            }
            throw ConfigError(
                "model directory \(directory) holds neither model.onnx, synthetic.yaml nor endpoint.yaml "
                    + "(found: \(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().joined(separator: ", ")))")
        }
    }

    /// A one-variant endpoint ("AllTraffic", SageMaker's default variant name) over a directory that
    /// holds the artifact itself, served as version 1 of model "model". The endpoint is called "tandem"
    /// unless `TANDEM_ENDPOINT_NAME` names it (KServe passes the InferenceService's name: the model name
    /// its Open Inference Protocol clients use).
    private func singleModel(directory: String, name: String?) throws(ConfigError) -> EndpointConfig {
        var config = EndpointConfig(
            endpointName: name.flatMap { $0.isEmpty ? nil : $0 } ?? "tandem", repository: directory,
            production: [VariantConfig(name: "AllTraffic", model: "model", version: 1, weight: 1)])
        config.singleModelDirectory = (directory as NSString).standardizingPath
        return config
    }
}
