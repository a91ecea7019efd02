import Foundation
import Logging
import TandemJSON

/// A swift-log handler that writes every log line as one JSON object (`TANDEM_LOG_FORMAT=json`), for
/// CloudWatch Logs Insights and Loki: `{"time":"…","level":"notice","label":"tandem","message":"…", …metadata}`.
/// Metadata values become JSON strings (nested lists and dictionaries as JSON arrays and objects). Each line
/// is one `write` to the stream, so lines from several threads never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable ([UInt8]) -> Void

    /// A handler writing to standard error.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { FileHandle.standardError.write(Data($0)) }
    }

    public init(label: String, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var w = JSONWriter(capacity: 256)
        w.beginObject()
        let now = Date().timeIntervalSince1970
        w.key("time"); w.string(ISOTime.format(now))
        w.key("level"); w.string(event.level.rawValue)
        w.key("label"); w.string(label)
        w.key("message"); w.string(event.message.description)
        for key in merged.keys.sorted() where !["time", "level", "label", "message"].contains(key) {
            w.key(key)
            if let value = merged[key] { Self.value(value, into: &w) }
        }
        w.endObject()
        w.newline()
        write(w.bytes)
    }

    private static func value(_ value: Logger.Metadata.Value, into w: inout JSONWriter) {
        switch value {
        case .string(let text): w.string(text)
        case .stringConvertible(let item): w.string(item.description)
        case .array(let items):
            w.beginArray()
            for item in items { Self.value(item, into: &w) }
            w.endArray()
        case .dictionary(let members):
            w.beginObject()
            for key in members.keys.sorted() {
                w.key(key)
                if let item = members[key] { Self.value(item, into: &w) }
            }
            w.endObject()
        }
    }
}
