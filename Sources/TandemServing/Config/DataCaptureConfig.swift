import Foundation

/// `data_capture:` in `endpoint.yaml`, modelled on SageMaker's `DataCaptureConfig`: which invocations are
/// written to disk as JSON Lines in SageMaker's capture schema, and the bounds of the writer.
///
/// ```yaml
/// data_capture:
///   enable: true                         # EnableCapture (default true when the section is present)
///   sampling_percentage: 30              # InitialSamplingPercentage, 0-100 (default 20, as SageMaker's SDK)
///   capture_options: [input, output]     # CaptureOptions (default both)
///   csv_content_types: [text/csv]        # CaptureContentTypeHeader.CsvContentTypes: written as text, encoding CSV
///   json_content_types: [application/json, application/jsonlines]   # ...JsonContentTypes: text, encoding JSON
///   destination: /var/tandem/capture     # relative to this file; TANDEM_CAPTURE_DIR overrides
///   capture_shadows: false               # also capture shadow variants' answers (marked as shadow)
///   queue_records: 10000                 # records waiting for the writer; more are dropped and counted
///   queue_bytes: 67108864                # body bytes waiting for the writer; more are dropped and counted
///   max_file_bytes: 67108864             # a capture file rotates past this size (and every hour)
///   disk_usage_threshold_percentage: 75  # capture pauses while the disk is fuller than this (SageMaker's 75%)
///   flush_ms: 1000                       # how often the writer writes a batch
/// ```
public struct DataCaptureConfig: Sendable, Equatable {
    /// `enable`.
    public var enabled: Bool = true
    /// `sampling_percentage`: share (0-100) of invocations captured.
    public var samplingPercentage: Double = 20
    /// `capture_options` includes `input`: the request body is captured.
    public var captureInput: Bool = true
    /// `capture_options` includes `output`: the answer body is captured.
    public var captureOutput: Bool = true
    /// Media types (parameters ignored, case-insensitive) whose bodies are written as text with encoding CSV.
    /// Normalised media types (`mediaType`), as `encoding(of:)` compares them.
    public var csvContentTypes: [String] = ["text/csv"]
    /// Media types whose bodies are written as text with encoding JSON. Any other type is written as BASE64.
    public var jsonContentTypes: [String] = ["application/json", "application/jsonlines"]
    /// `capture_shadows`: shadow variants' answers are captured too, with `tandem.shadow: true`.
    public var captureShadows: Bool = false
    /// Where records go (absolute): `<destination>/<endpoint>/<variant>/yyyy/mm/dd/hh/*.jsonl`.
    public var destination: String
    /// The writer's bounds.
    public var writer: CaptureWriterSettings

    public init(destination: String, writer: CaptureWriterSettings? = nil) {
        self.destination = destination
        self.writer = writer ?? CaptureWriterSettings(destination: destination)
    }

    /// The variable that overrides `destination`.
    public static let destinationVariable = "TANDEM_CAPTURE_DIR"

    /// How a body of `contentType` is written: CSV, JSON or BASE64 (SageMaker's rule: types not listed are base64).
    /// Runs on a worker for every sampled record: the configured lists are normalised when the config is read,
    /// and the request's type with byte operations (Foundation's trimming took 12% of a worker's time at 100%).
    public func encoding(of contentType: String) -> CaptureEncoding {
        let media = Self.mediaType(contentType)
        if csvContentTypes.contains(media) { return .csv }
        if jsonContentTypes.contains(media) { return .json }
        return .base64
    }

    /// `text/CSV; charset=utf-8` -> `text/csv`: the part before any `;`, without surrounding spaces or tabs, in
    /// ASCII lower case (media types are ASCII; other bytes are kept as they are).
    static func mediaType(_ contentType: String) -> String {
        var utf8 = contentType.utf8[...]
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) { utf8 = utf8[..<semicolon] }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = utf8.first, blank(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, blank(last) { utf8 = utf8.dropLast() }
        return String(decoding: utf8.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Reads the section at `node`; relative destinations are resolved against `directory`.
    static func parse(_ node: ConfigNode, directory: String, environment: [String: String]) throws(ConfigError) -> DataCaptureConfig {
        _ = try node.keys(allowed: [
            "enable", "sampling_percentage", "capture_options", "csv_content_types", "json_content_types", "destination",
            "capture_shadows", "queue_records", "queue_bytes", "max_file_bytes", "disk_usage_threshold_percentage", "flush_ms",
        ])
        let fromEnvironment = environment[destinationVariable].flatMap { $0.isEmpty ? nil : $0 }
        let configured = try node["destination"].optionalString()
        guard let path = fromEnvironment ?? configured, !path.isEmpty else {
            throw node["destination"].fail("required: the directory capture writes to (or set \(destinationVariable))")
        }
        let base = fromEnvironment != nil ? FileManager.default.currentDirectoryPath : directory
        let destination = path.hasPrefix("/") ? (path as NSString).standardizingPath
            : ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath

        var config = DataCaptureConfig(destination: destination)
        config.enabled = try node["enable"].bool(default: true)
        config.samplingPercentage = try node["sampling_percentage"].double(default: 20, min: 0, max: 100)
        let options = try node["capture_options"].array()
        if !options.isEmpty {
            config.captureInput = false
            config.captureOutput = false
            for option in options {
                switch try option.string().lowercased() {
                case "input": config.captureInput = true
                case "output": config.captureOutput = true
                default: throw option.fail("expected input or output (SageMaker's CaptureOptions), got \(option.describe())")
                }
            }
        }
        config.csvContentTypes = try contentTypes(node["csv_content_types"], default: config.csvContentTypes)
        config.jsonContentTypes = try contentTypes(node["json_content_types"], default: config.jsonContentTypes)
        config.captureShadows = try node["capture_shadows"].bool(default: false)
        var writer = CaptureWriterSettings(destination: destination)
        writer.queueRecords = try node["queue_records"].int(default: writer.queueRecords, min: 1)
        writer.queueBytes = try node["queue_bytes"].int(default: writer.queueBytes, min: 1)
        writer.maxFileBytes = try node["max_file_bytes"].int(default: writer.maxFileBytes, min: 1)
        writer.diskUsageThreshold = try node["disk_usage_threshold_percentage"].double(
            default: writer.diskUsageThreshold, min: 0, max: 100)
        writer.flushInterval = try node["flush_ms"].milliseconds(default: writer.flushInterval) ?? writer.flushInterval
        guard writer.flushInterval >= .milliseconds(1) else { throw node["flush_ms"].fail("must be >= 1") }
        config.writer = writer
        return config
    }

    /// A list of 0-10 media types (SageMaker allows up to 10 of each).
    private static func contentTypes(_ node: ConfigNode, default fallback: [String]) throws(ConfigError) -> [String] {
        guard !node.isMissing else { return fallback }
        let items = try node.array()
        guard items.count <= 10 else { throw node.fail("at most 10 content types (SageMaker's limit), got \(items.count)") }
        var types: [String] = []
        for item in items {
            let text = try item.string()
            guard text.contains("/") else { throw item.fail("expected a media type such as text/csv, got \"\(text)\"") }
            types.append(mediaType(text))
        }
        return types
    }
}

/// How a captured body is written in its record's `encoding` field.
public enum CaptureEncoding: String, Sendable {
    case csv = "CSV"
    case json = "JSON"
    case base64 = "BASE64"
}

/// The capture writer's destination and bounds (a change of any of them starts a new writer).
public struct CaptureWriterSettings: Sendable, Equatable {
    /// The capture root directory.
    public var destination: String
    /// `queue_records`: records waiting for the writer; one more is dropped and counted.
    public var queueRecords = 10_000
    /// `queue_bytes`: request and answer bytes held by waiting records; past it records are dropped and counted.
    public var queueBytes = 64 << 20
    /// `max_file_bytes`: a file rotates before it would grow past this (a single larger record gets a file of its own).
    public var maxFileBytes = 64 << 20
    /// `disk_usage_threshold_percentage`: capture pauses (records dropped and counted) while the disk holding
    /// the destination is fuller than this.
    public var diskUsageThreshold = 75.0
    /// `flush_ms`: how often the writer takes the waiting records and writes them.
    public var flushInterval: Duration = .seconds(1)

    public init(destination: String) {
        self.destination = destination
    }
}
