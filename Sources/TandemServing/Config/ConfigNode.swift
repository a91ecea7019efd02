import Foundation

/// A YAML value with its path in the document, so every configuration error names where it is
/// (`production_variants[1].weight: expected a number >= 0, got "high"`).
struct ConfigNode {
    let value: Any?
    let path: String
    let file: String

    /// Parses YAML text; `file` names the source in errors.
    static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        ConfigNode(value: try YAMLGuard.load(text, file: file), path: "", file: file)
    }

    var isMissing: Bool { value == nil || value is NSNull }

    func fail(_ message: String) -> ConfigError {
        ConfigError("\(file): \(path.isEmpty ? "" : path + ": ")\(message)")
    }

    subscript(key: String) -> ConfigNode {
        let child = (value as? [String: Any])?[key]
        return ConfigNode(value: child, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The mapping's keys; throws when the node is not a mapping or holds keys outside `allowed`.
    func keys(allowed: Set<String>) throws(ConfigError) -> [String] {
        guard let map = value as? [String: Any] else { throw fail("expected a mapping, got \(describe())") }
        for key in map.keys where !allowed.contains(key) {
            throw fail("unknown key '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        return Array(map.keys)
    }

    func isMapping() -> Bool { value is [String: Any] }

    func array() throws(ConfigError) -> [ConfigNode] {
        guard !isMissing else { return [] }
        guard let list = value as? [Any] else { throw fail("expected a list, got \(describe())") }
        return list.enumerated().map { ConfigNode(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    func string(default fallback: String? = nil) throws(ConfigError) -> String {
        if isMissing, let fallback { return fallback }
        if let s = value as? String { return s }
        if let i = value as? Int { return String(i) }
        throw fail(isMissing ? "required" : "expected a string, got \(describe())")
    }

    func optionalString() throws(ConfigError) -> String? {
        isMissing ? nil : try string()
    }

    func double(default fallback: Double? = nil, min: Double? = nil, max: Double? = nil) throws(ConfigError) -> Double {
        let number: Double
        if isMissing, let fallback {
            number = fallback
        } else if let d = value as? Double {
            number = d
        } else if let i = value as? Int {
            number = Double(i)
        } else {
            throw fail(isMissing ? "required" : "expected a number, got \(describe())")
        }
        // YAML spells .nan and .inf; no Tandem setting means either (NaN also slips past every comparison).
        guard number.isFinite else { throw fail("must be a finite number, got \(number)") }
        if let min, number < min { throw fail("must be >= \(min), got \(number)") }
        if let max, number > max { throw fail("must be <= \(max), got \(number)") }
        return number
    }

    func int(default fallback: Int? = nil, min: Int? = nil) throws(ConfigError) -> Int {
        let number: Int
        if isMissing, let fallback {
            number = fallback
        } else if let i = value as? Int {
            number = i
        } else {
            throw fail(isMissing ? "required" : "expected a whole number, got \(describe())")
        }
        if let min, number < min { throw fail("must be >= \(min), got \(number)") }
        return number
    }

    func optionalInt(min: Int? = nil) throws(ConfigError) -> Int? {
        isMissing ? nil : try int(min: min)
    }

    func optionalDouble(min: Double? = nil, max: Double? = nil) throws(ConfigError) -> Double? {
        isMissing ? nil : try double(min: min, max: max)
    }

    func bool(default fallback: Bool) throws(ConfigError) -> Bool {
        if isMissing { return fallback }
        guard let b = value as? Bool else { throw fail("expected true or false, got \(describe())") }
        return b
    }

    /// A duration given as milliseconds (`timeout_ms: 500`).
    func milliseconds(default fallback: Duration? = nil) throws(ConfigError) -> Duration? {
        if isMissing { return fallback }
        let ms = try double(min: 0)
        return .microseconds(Int64(ms * 1000))
    }

    func describe() -> String {
        switch value {
        case nil: "nothing"
        case let s as String: "\"\(s)\""
        case is [Any]: "a list"
        case is [String: Any]: "a mapping"
        case let other?: "\(other)"
        }
    }
}

/// A configuration or repository that cannot be served, with the file and key at fault.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The full message, starting with the file name.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
