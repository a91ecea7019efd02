import Foundation

/// A throw-away model repository and endpoint config in a temporary directory, for `InProcessServer`.
///
/// Synthetic models (`synthetic.yaml`: features, latency, sleep or cpu, error rate) give tests control
/// over time and failure; `copyBundledModel` adds the repository's real ONNX models from `models/`.
public final class ModelRepositoryFixture: Sendable {
    /// The fixture's root: `models/` (the repository) and `endpoint.yaml` live here.
    public let root: String

    public init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-fixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/models", withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The repository directory (`repository: models` in an endpoint config written here).
    public var repository: String { root + "/models" }

    /// The endpoint config's path.
    public var endpointFile: String { root + "/endpoint.yaml" }

    /// Adds version `version` of a synthetic model named `name` with this `synthetic.yaml` text.
    public func addSynthetic(_ name: String, version: Int = 1, yaml: String) throws {
        let directory = "\(repository)/\(name)/\(version)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try yaml.write(toFile: directory + "/synthetic.yaml", atomically: true, encoding: .utf8)
    }

    /// Writes `bytes` as `file` (e.g. `model.onnx`) of version `version` of model `name`: for models that
    /// must fail to load.
    public func addModelFile(_ name: String, version: Int = 1, file: String, bytes: [UInt8]) throws {
        let directory = "\(repository)/\(name)/\(version)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + file))
    }

    /// Copies a model (every version, and its model.yaml) from the repository's bundled `models/`.
    public func copyBundledModel(_ name: String) throws {
        try FileManager.default.copyItem(atPath: Self.repositoryRoot + "/models/" + name, toPath: repository + "/" + name)
    }

    /// Writes the endpoint config (`repository: models` is added when the text has no `repository:`).
    public func writeEndpoint(_ yaml: String) throws {
        let text = yaml.contains("repository:") ? yaml : "repository: models\n" + yaml
        try text.write(toFile: endpointFile, atomically: true, encoding: .utf8)
    }

    /// The checkout this file belongs to (fixtures are found relative to it, so tests run from any clone).
    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }
}
