import Foundation
import TandemServing

/// Reads whole-number settings from environment variables, with one error wording for all of them.
enum EnvironmentNumber {
    /// The value of `name` when set and non-empty; throws unless it is a whole number >= `min`.
    static func int(_ env: [String: String], _ name: String, min: Int) throws(ConfigError) -> Int? {
        guard let text = env[name], !text.isEmpty else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= min else {
            throw ConfigError("environment variable \(name)=\"\(text)\" must be a whole number >= \(min)")
        }
        return value
    }
}
