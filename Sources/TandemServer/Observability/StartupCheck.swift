import Foundation
import Logging
import TandemServing

extension ServingStack {
    /// Checks, before the server binds its port and says it is listening, that the config parses and the
    /// directories it names exist: a server that cannot serve says why and exits instead of claiming to
    /// listen. (Models themselves load after the port is open, with `/ping` answering 503 meanwhile.)
    public func preflight() -> ConfigError? {
        do throws(ConfigError) {
            let config = try loader.source.endpointConfig(environment: loader.environment)
            var isDirectory: ObjCBool = false
            if let directory = config.singleModelDirectory {
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                    return ConfigError("model directory \(directory) does not exist or is not a directory")
                }
                return nil
            }
            guard FileManager.default.fileExists(atPath: config.repository, isDirectory: &isDirectory), isDirectory.boolValue else {
                return ConfigError("model repository \(config.repository) does not exist or is not a directory")
            }
            for name in Set(config.production.map(\.model) + config.shadows.map(\.model)).sorted() {
                let directory = config.repository + "/" + name
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                    return ConfigError("model '\(name)' is not in the repository \(config.repository) (no directory \(directory))")
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// Logs the variants, their models and their weights and shares (at start-up, and after every reload or
    /// weight change), one line an operator can read the served split from.
    public static func logVariants(_ state: EndpointState, event: String, logger: Logger) {
        let variants: [Logger.Metadata.Value] = state.allVariants.map { variant in
            var fields: Logger.Metadata = [
                "name": "\(variant.name)", "role": "\(variant.role.rawValue)", "model": "\(variant.modelID.name)",
                "version": "\(variant.modelID.version)", "state": "\(variant.state.name)",
            ]
            if variant.role == .production {
                fields["weight"] = "\(state.weights[variant.name] ?? 0)"
                fields["share"] = "\(state.routing.share(of: variant.name))"
            } else {
                fields["sampling_percentage"] = "\(variant.samplingRate * 100)"
            }
            return .dictionary(fields)
        }
        logger.notice(
            "\(event)",
            metadata: [
                "endpoint": "\(state.config.endpointName)", "generation": "\(state.generation)", "variants": .array(variants),
            ])
    }
}
