import Foundation

/// The three JSON files SageMaker writes to `/opt/ml/input/config/`.
struct JobConfig {
    /// `hyperparameters.json`: every value a string (numbers and booleans are turned into strings).
    var hyperparameters: [String: String] = [:]
    /// `inputdataconfig.json`: content type per channel.
    var contentTypes: [String: String] = [:]
    var hosts: [String] = []

    init(paths: MLPaths) throws(TrainingError) {
        if let object = try Self.readObject(paths.hyperparameters) {
            for (key, value) in object {
                switch value {
                case let s as String: hyperparameters[key] = s
                case let n as NSNumber: hyperparameters[key] = n.stringValue
                default: throw TrainingError("\(paths.hyperparameters): the value of '\(key)' is not a string")
                }
            }
        }
        if let object = try Self.readObject(paths.inputDataConfig) {
            for (channel, value) in object {
                guard let settings = value as? [String: Any] else {
                    throw TrainingError("\(paths.inputDataConfig): channel '\(channel)' is not an object")
                }
                let mode = settings["TrainingInputMode"] as? String ?? "File"
                guard mode == "File" || mode == "FastFile" else {
                    throw TrainingError("channel '\(channel)' uses input mode \(mode); Tandem reads File mode (or FastFile)")
                }
                if let compression = settings["CompressionType"] as? String, compression != "None" {
                    throw TrainingError("channel '\(channel)' is compressed (\(compression)); Tandem reads uncompressed files")
                }
                contentTypes[channel] = settings["ContentType"] as? String ?? "text/csv"
            }
        }
        if let object = try Self.readObject(paths.resourceConfig) {
            hosts = object["hosts"] as? [String] ?? []
        }
    }

    private static func readObject(_ path: String) throws(TrainingError) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TrainingError("\(path) is not a JSON object")
            }
            return object
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError("\(path) is not valid JSON: \(error.localizedDescription)")
        }
    }
}
