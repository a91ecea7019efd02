import Foundation

/// A model version found on disk, loaded or with the reason it failed to load.
public struct LoadedVersion: Sendable {
    public var id: ModelID
    public var directory: String
    /// The model, or the load error naming the cause.
    public var model: Result<any InferenceModel, ConfigError>
}

/// One model directory of the repository: its config and the versions its policy selected.
public struct RepositoryModel: Sendable {
    public var name: String
    public var config: ModelConfig
    /// Version numbers present on disk.
    public var availableVersions: [Int]
    /// The versions the policy loads, in ascending order.
    public var loaded: [LoadedVersion]

    /// The loaded version with number `version`, or the highest when nil.
    public func version(_ version: Int?) -> LoadedVersion? {
        guard let version else { return loaded.last }
        return loaded.first { $0.id.version == version }
    }
}

/// The model repository: `<root>/<model>/<version>/model.onnx` (or `synthetic.yaml`), with numeric
/// version directories as Triton and TF Serving lay them out, and an optional `<root>/<model>/model.yaml`.
public enum ModelRepository {
    /// Loads the models named in `names` (all models when nil) from `root`, each version per its policy.
    /// A version that fails to load is kept with its error; a missing model or directory throws.
    /// Versions in `pinned[name]` (named explicitly by a variant) are loaded whatever the policy says.
    public static func load(
        root: String, names: Set<String>?, pinned: [String: Set<Int>] = [:], loader: ModelLoader
    ) throws(ConfigError) -> [String: RepositoryModel] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConfigError("model repository \(root) does not exist or is not a directory")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var models: [String: RepositoryModel] = [:]
        for name in entries.sorted() where names?.contains(name) ?? true {
            let directory = root + "/" + name
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            let config = try ModelConfig.load(modelDirectory: directory)
            let versions = versionDirectories(in: directory)
            guard !versions.isEmpty else {
                if names != nil {
                    throw ConfigError("model '\(name)' in \(root) has no numeric version directories (expected \(directory)/1/model.onnx)")
                }
                continue
            }
            var selected = config.versionPolicy.select(from: versions)
            if case .specific(let wanted) = config.versionPolicy, selected.count != wanted.count {
                let missing = wanted.filter { !versions.contains($0) }
                throw ConfigError("\(directory)/model.yaml: versions \(missing) do not exist (found \(versions))")
            }
            for version in (pinned[name] ?? []).sorted() where !selected.contains(version) {
                guard versions.contains(version) else {
                    throw ConfigError("model '\(name)' has no version \(version) in \(directory) (found \(versions))")
                }
                selected.append(version)
            }
            selected.sort()
            let loaded = selected.map { version in
                let versionDirectory = directory + "/" + String(version)
                return LoadedVersion(
                    id: ModelID(name: name, version: version), directory: versionDirectory,
                    model: Result { () throws(ConfigError) -> any InferenceModel in try loader.load(directory: versionDirectory) })
            }
            models[name] = RepositoryModel(name: name, config: config, availableVersions: versions, loaded: loaded)
        }
        if let names {
            for name in names where models[name] == nil {
                throw ConfigError("model '\(name)' is not in the repository \(root) (found: \(entries.sorted().joined(separator: ", ")))")
            }
        }
        return models
    }

    /// Loads the models an endpoint config names: its repository, or the single artifact directory.
    public static func load(for config: EndpointConfig, loader: ModelLoader) throws(ConfigError) -> [String: RepositoryModel] {
        if let directory = config.singleModelDirectory {
            let version = LoadedVersion(
                id: ModelID(name: "model", version: 1), directory: directory,
                model: Result { () throws(ConfigError) -> any InferenceModel in try loader.load(directory: directory) })
            return ["model": RepositoryModel(name: "model", config: ModelConfig(), availableVersions: [1], loaded: [version])]
        }
        let names = Set(config.production.map(\.model) + config.shadows.map(\.model))
        var pinned: [String: Set<Int>] = [:]
        for (model, version) in config.production.map({ ($0.model, $0.version) }) + config.shadows.map({ ($0.model, $0.version) }) {
            if let version { pinned[model, default: []].insert(version) }
        }
        return try load(root: config.repository, names: names, pinned: pinned, loader: loader)
    }

    /// The numeric subdirectories of a model directory.
    static func versionDirectories(in directory: String) -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var isDirectory: ObjCBool = false
        return entries.compactMap { entry in
            guard let number = Int(entry), number > 0, String(number) == entry,
                FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { return nil }
            return number
        }.sorted()
    }
}

/// Turns a version directory into a runnable model.
public struct ModelLoader: Sendable {
    /// Loads an ONNX file; supplied by the composition root so this target stays free of file formats it does not own.
    public var loadONNX: @Sendable (String) throws -> any InferenceModel

    public init(loadONNX: @escaping @Sendable (String) throws -> any InferenceModel) {
        self.loadONNX = loadONNX
    }

    /// Loads `directory/model.onnx` (then warms it up: `ModelWarmup`) or `directory/synthetic.yaml`; the error
    /// names the file and the cause.
    public func load(directory: String) throws(ConfigError) -> any InferenceModel {
        let onnx = directory + "/model.onnx"
        let synthetic = directory + "/synthetic.yaml"
        if FileManager.default.fileExists(atPath: onnx) {
            let model: any InferenceModel
            do {
                model = try loadONNX(onnx)
            } catch {
                throw ConfigError("\(onnx): \(error)")
            }
            try ModelWarmup.run(model, directory: directory)
            return model
        }
        if FileManager.default.fileExists(atPath: synthetic) {
            return SyntheticModel(config: try SyntheticModelConfig.parse(try YAMLGuard.read(synthetic), file: synthetic))
        }
        throw ConfigError("\(directory) holds neither model.onnx nor synthetic.yaml")
    }
}
