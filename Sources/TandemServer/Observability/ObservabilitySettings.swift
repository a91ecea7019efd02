import TandemServing

/// How the server reports what it does: the access log and the format of every log line
/// (`TANDEM_ACCESS_LOG`, `TANDEM_ACCESS_LOG_BUFFER`, `TANDEM_LOG_FORMAT`; docs/operations.md).
public struct ObservabilitySettings: Sendable, Equatable {
    /// One line per invocation on stdout: off (the default), text or JSON.
    public var accessLog = AccessLogFormat.off
    /// Access-log entries waiting for the writer before new ones are dropped (and counted).
    public var accessLogBuffer = 10_000
    /// How every log line on stderr is written: text (swift-log's default) or one JSON object per line.
    public var logFormat = LogFormat.text

    public init() {}

    /// Reads the `TANDEM_*` variables over the defaults.
    public mutating func apply(environment env: [String: String]) throws(ConfigError) {
        if let text = env["TANDEM_ACCESS_LOG"], !text.isEmpty {
            guard let format = AccessLogFormat(rawValue: text.lowercased()) else {
                throw ConfigError("environment variable TANDEM_ACCESS_LOG=\"\(text)\" must be off, text or json")
            }
            accessLog = format
        }
        if let size = try EnvironmentNumber.int(env, "TANDEM_ACCESS_LOG_BUFFER", min: 1) { accessLogBuffer = size }
        if let text = env["TANDEM_LOG_FORMAT"], !text.isEmpty {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw ConfigError("environment variable TANDEM_LOG_FORMAT=\"\(text)\" must be text or json")
            }
            logFormat = format
        }
    }
}

/// The access log's format.
public enum AccessLogFormat: String, Sendable, CaseIterable {
    case off, text, json
}

/// The format of the server's log lines.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}
