import Foundation
import Logging
import Synchronization
import Testing

@testable import TandemServer
@testable import TandemServing

/// The access log's lines and its bounded buffer, the JSON log handler, and the settings that turn them on.
@Suite struct ObservabilityTests {
    final class Sink: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let drops = Atomic<Int>(0)
        var lines: [String] { String(decoding: bytes.withLock { $0 }, as: UTF8.self).split(separator: "\n").map(String.init) }
    }

    func entry(_ id: String, status: Int = 200) -> AccessLogEntry {
        AccessLogEntry(
            time: 1_796_660_124.5, requestID: id, path: "/invocations", status: status, bytesIn: 10, bytesOut: 20,
            route: ServedRoute(variant: "a", model: ModelID(name: "m", version: 2), rule: .sticky),
            total: .milliseconds(3), queue: .microseconds(250), model: .milliseconds(2), error: status == 200 ? nil : "bad_cell")
    }

    @Test func jsonAndTextLines() throws {
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(entry("r1").line(.json).utf8)) as? [String: Any])
        #expect(json["time"] as? String == "2026-12-07T16:15:24.500Z")
        #expect(json["request_id"] as? String == "r1" && json["version"] as? Int == 2 && json["routing"] as? String == "sticky")
        #expect(json["queue_ms"] as? Double == 0.25 && json["model_ms"] as? Double == 2 && json["error"] is NSNull)
        var refused = entry("r2", status: 415)
        refused.route = nil
        refused.model = nil
        #expect(refused.line(.text).hasSuffix("/invocations 415 variant=- model=- version=- routing=- in=10 out=20 total_ms=3.0 queue_ms=0.25 model_ms=- error=bad_cell"))
    }

    @Test func bufferedWritesAreBoundedAndCounted() {
        let sink = Sink()
        let log = AccessLog(
            format: .json, capacity: 3, interval: .seconds(60), dropped: { sink.drops.add(1, ordering: .relaxed) },
            write: { bytes in sink.bytes.withLock { $0 += bytes } })
        for i in 0..<5 { log.record(entry("r\(i)")) }
        #expect(sink.lines.isEmpty)  // nothing written on the caller's thread
        log.flush()
        #expect(sink.lines.count == 3 && sink.drops.load(ordering: .relaxed) == 2)
        log.record(entry("r9"))
        log.flush()
        #expect(sink.lines.count == 4 && sink.lines[3].contains("\"r9\""))
        let off = AccessLog(format: .off, write: { bytes in sink.bytes.withLock { $0 += bytes } })
        off.record(entry("x"))
        off.flush()
        #expect(sink.lines.count == 4)
    }

    @Test func jsonLogHandlerWritesOneObjectPerLine() throws {
        let sink = Sink()
        var logger = Logger(label: "t") { label in JSONLogHandler(label: label) { bytes in sink.bytes.withLock { $0 += bytes } } }
        logger.logLevel = .notice
        logger[metadataKey: "pid"] = "7"
        logger.notice("hello \"world\"", metadata: ["variants": .array([.dictionary(["name": "a"])])])
        logger.info("not at this level")
        #expect(sink.lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sink.lines[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "hello \"world\"" && object["level"] as? String == "notice")
        #expect(object["pid"] as? String == "7" && (object["variants"] as? [[String: String]])?.first?["name"] == "a")
    }

    @Test func settingsFromTheEnvironment() throws {
        var settings = ObservabilitySettings()
        try settings.apply(environment: ["TANDEM_ACCESS_LOG": "JSON", "TANDEM_LOG_FORMAT": "json", "TANDEM_ACCESS_LOG_BUFFER": "5"])
        #expect(settings.accessLog == .json && settings.logFormat == .json && settings.accessLogBuffer == 5)
        #expect(throws: ConfigError.self) { try settings.apply(environment: ["TANDEM_ACCESS_LOG": "yes"]) }
        #expect(throws: ConfigError.self) { try settings.apply(environment: ["TANDEM_LOG_FORMAT": "xml"]) }
    }

    @Test func configErrorsAreAllListed() throws {
        let yaml = """
            production_variants:
              - {name: a, model: m, weight: -1}
              - {name: b, model: m, workers: 0}
            health: {policy: sometimes}
            """
        do {
            _ = try EndpointConfig.parse(yaml, file: "e.yaml", directory: ".", environment: [:])
            Issue.record("parsed")
        } catch {
            #expect(error.problems.count == 3)
            #expect(error.problems[0].hasPrefix("e.yaml: ") && error.problems[0].hasSuffix("(variant 'a')"))
            #expect(error.problems[1].hasSuffix("(variant 'b')"))
        }
    }
}
