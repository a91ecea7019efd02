extension ConfigError {
    /// Several problems as one error, one per line (`tandem check-config` prints each).
    public static func combined(_ errors: [ConfigError]) -> ConfigError {
        ConfigError(errors.map(\.message).joined(separator: "\n"))
    }

    /// Each problem of a combined error.
    public var problems: [String] {
        message.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The error with the variant it belongs to named (when the node has a name), as in
    /// `endpoint.yaml: production_variants[1].weight: ... (variant 'challenger')`.
    func naming(variant node: ConfigNode) -> ConfigError {
        guard let name = try? node["name"].optionalString(), !name.isEmpty, !message.contains("'\(name)'") else { return self }
        return ConfigError(message + " (variant '\(name)')")
    }
}
