import Foundation
import Testing

@testable import TandemServing

/// Data capture without a server: the config section, the record in SageMaker's schema, the folder layout
/// and rotation, and every way a record is dropped (queue bounds, disk threshold, write errors) being counted.
@Suite struct DataCaptureTests {
    static let variants = """
        production_variants:
          - {name: a, model: m, version: 1}
        """

    func parse(_ section: String, environment: [String: String] = [:]) throws(ConfigError) -> DataCaptureConfig? {
        try EndpointConfig.parse(
            "endpoint: cap\n" + section + "\n" + Self.variants, file: "endpoint.yaml", directory: "/srv/config",
            environment: environment
        ).dataCapture
    }

    func parseError(_ section: String) -> String {
        do {
            _ = try parse(section)
            Issue.record("expected an error for \(section)")
            return ""
        } catch {
            return error.message
        }
    }

    // MARK: Config

    @Test func fullSectionIsRead() throws {
        let capture = try #require(try parse("""
            data_capture:
              sampling_percentage: 30
              capture_options: [Input]
              csv_content_types: [text/csv, " Text/Plain ; charset=utf-8"]
              json_content_types: [application/json]
              destination: capture
              capture_shadows: true
              queue_records: 50
              queue_bytes: 4096
              max_file_bytes: 1000
              disk_usage_threshold_percentage: 90
              flush_ms: 20
            """))
        #expect(capture.enabled && capture.samplingPercentage == 30)
        #expect(capture.captureInput && !capture.captureOutput && capture.captureShadows)
        #expect(capture.destination == "/srv/config/capture")
        #expect(capture.writer.queueRecords == 50 && capture.writer.queueBytes == 4096 && capture.writer.maxFileBytes == 1000)
        #expect(capture.writer.diskUsageThreshold == 90 && capture.writer.flushInterval == .milliseconds(20))
        #expect(capture.encoding(of: "TEXT/CSV; charset=utf-8") == .csv)
        #expect(capture.encoding(of: "text/plain") == .csv)
        #expect(capture.encoding(of: "application/json") == .json)
        #expect(capture.encoding(of: "application/x-npy") == .base64)
        // Configured types are normalised once; requests' types compared case- and parameter-insensitively.
        #expect(capture.csvContentTypes == ["text/csv", "text/plain"])
        #expect(capture.encoding(of: "\tApplication/JSON  ;q=1") == .json)
        #expect(capture.encoding(of: "text/csvx") == .base64 && capture.encoding(of: "") == .base64)
        #expect(DataCaptureConfig.mediaType("  TEXT/Ünïcode ; x") == "text/Ünïcode")
    }

    @Test func defaultsFollowSageMaker() throws {
        let capture = try #require(try parse("data_capture: {destination: /var/capture}"))
        #expect(capture.enabled && capture.samplingPercentage == 20 && capture.captureInput && capture.captureOutput)
        #expect(!capture.captureShadows && capture.writer.diskUsageThreshold == 75 && capture.writer.queueRecords == 10_000)
        #expect(try parse("") == nil)
    }

    @Test func environmentNamesTheDestination() throws {
        let capture = try #require(try parse("data_capture: {sampling_percentage: 5}", environment: ["TANDEM_CAPTURE_DIR": "/data/cap"]))
        #expect(capture.destination == "/data/cap")
        let overridden = try #require(try parse("data_capture: {destination: /x}", environment: ["TANDEM_CAPTURE_DIR": "/y"]))
        #expect(overridden.destination == "/y")
    }

    @Test func badSectionsSayWhatIsWrong() {
        #expect(parseError("data_capture: {sampling_percentage: 5}").contains("data_capture.destination: required"))
        #expect(parseError("data_capture: {destination: /x, sampling_percentage: 101}").contains("data_capture.sampling_percentage: must be <= 100"))
        #expect(parseError("data_capture: {destination: /x, capture_options: [both]}").contains("expected input or output"))
        #expect(parseError("data_capture: {destination: /x, queue_records: 0}").contains("data_capture.queue_records: must be >= 1"))
        #expect(parseError("data_capture: {destination: /x, csv_content_types: [csv]}").contains("expected a media type"))
        #expect(parseError("data_capture: {destination: /x, disk_usage_threshold_percentage: 120}").contains("must be <= 100"))
        #expect(parseError("data_capture: {destination: /x, kms_key: k}").contains("unknown key 'kms_key'"))
    }

    // MARK: Records

    static func event(
        id: String = "0123456789abcdef", time: Double = 1_765_125_605.25, variant: String = "a",
        input: [UInt8] = Array("1.0,2.0\n".utf8), inputType: String = "text/csv", inputEncoding: CaptureEncoding = .csv,
        output: [UInt8]? = Array("{\"predictions\":[1]}".utf8), inferenceID: String? = "trace-7", shadow: Bool = false
    ) -> CaptureEvent {
        CaptureEvent(
            eventID: id, inferenceID: inferenceID, time: time, endpoint: "cap", variant: variant,
            model: ModelID(name: "m", version: 2), shadow: shadow,
            input: CapturedBody(data: input, contentType: inputType, encoding: inputEncoding),
            output: output.map { CapturedBody(data: $0, contentType: "application/json", encoding: .json) })
    }

    static func object(_ line: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    }

    @Test func recordFollowsSageMakersSchema() throws {
        let line = Self.event().jsonLine()
        #expect(line.last == UInt8(ascii: "\n") && line.dropLast().firstIndex(of: UInt8(ascii: "\n")) == nil)
        let record = try Self.object(line)
        let data = try #require(record["captureData"] as? [String: [String: String]])
        #expect(data["endpointInput"] == ["observedContentType": "text/csv", "mode": "INPUT", "data": "1.0,2.0\n", "encoding": "CSV"])
        #expect(data["endpointOutput"] == [
            "observedContentType": "application/json", "mode": "OUTPUT", "data": "{\"predictions\":[1]}", "encoding": "JSON",
        ])
        let metadata = try #require(record["eventMetadata"] as? [String: String])
        #expect(metadata == ["eventId": "0123456789abcdef", "inferenceId": "trace-7", "inferenceTime": "2025-12-07T16:40:05Z"])
        #expect(record["eventVersion"] as? String == "0")
        let tandem = try #require(record["tandem"] as? [String: Any])
        #expect(tandem["variant"] as? String == "a" && tandem["model"] as? String == "m" && tandem["version"] as? Int == 2)
        #expect(tandem["endpoint"] as? String == "cap" && tandem["shadow"] as? Bool == false)
    }

    @Test func binaryAndInvalidTextBodiesAreBase64() throws {
        let bytes: [UInt8] = [0x00, 0xFF, 0xFE, 0x41]
        for encoding in [CaptureEncoding.base64, .csv] {
            let record = try Self.object(
                Self.event(input: bytes, inputType: "application/x-npy", inputEncoding: encoding, output: nil, inferenceID: nil).jsonLine())
            let data = try #require(record["captureData"] as? [String: [String: String]])
            #expect(data["endpointInput"]?["encoding"] == "BASE64")
            #expect(data["endpointInput"]?["data"] == Data(bytes).base64EncodedString())
            #expect(data["endpointOutput"] == nil)
            #expect((record["eventMetadata"] as? [String: String])?["inferenceId"] == nil)
        }
    }

    @Test func textWithQuotesAndControlCharactersRoundTrips() throws {
        let text = "a,\"b\"\n\\c\t\u{1}é"
        let record = try Self.object(Self.event(input: Array(text.utf8)).jsonLine())
        #expect((record["captureData"] as? [String: [String: String]])?["endpointInput"]?["data"] == text)
    }

    @Test func utcTimeMatchesTheCalendar() {
        #expect(UTCTime(secondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(UTCTime(secondsSinceEpoch: 1_709_164_799.999).iso8601 == "2024-02-28T23:59:59Z")
        #expect(UTCTime(secondsSinceEpoch: 1_709_164_800).hourFolder == "2024/02/29/00")
        #expect(UTCTime(secondsSinceEpoch: 4_102_444_800).iso8601 == "2100-01-01T00:00:00Z")
        #expect(UTCTime(secondsSinceEpoch: 1_765_125_605.25).fileStamp == "40-05-250")
        #expect(UTCTime(secondsSinceEpoch: -1).iso8601 == "1969-12-31T23:59:59Z")
    }

    // MARK: Files

    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "tandem-capture-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every `.jsonl` file under `root`, relative path -> lines.
    static func files(_ root: String) -> [String: [[UInt8]]] {
        var found: [String: [[UInt8]]] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root)?.allObjects ?? [] where path.hasSuffix(".jsonl") {
            let bytes = FileManager.default.contents(atPath: root + "/" + path).map { Array($0) } ?? []
            found[path] = bytes.split(separator: UInt8(ascii: "\n")).map(Array.init)
        }
        return found
    }

    @Test func filesRotateBySizeAndHour() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let size = Self.event().jsonLine().count
        var files = CaptureFiles(root: root, maxFileBytes: size * 3 + 10)
        let hour = 1_765_125_605.0
        var events = (0..<10).map { Self.event(id: "r\($0)", time: hour + Double($0)) }
        events += (0..<2).map { Self.event(id: "n\($0)", time: hour + 3600) }
        events.append(Self.event(id: "b0", time: hour, variant: "b"))
        let outcome = files.write(events)
        #expect(outcome.written == 13 && outcome.failed == 0)
        // A later batch appends to the current file while it has room.
        #expect(files.write([Self.event(id: "n2", time: hour + 3601)]).written == 1)

        let written = Self.files(root)
        for (path, lines) in written {
            #expect(lines.reduce(0) { $0 + $1.count + 1 } <= size * 3 + 10, "\(path) is over max_file_bytes")
            for line in lines { _ = try Self.object(line) }
        }
        let a16 = written.filter { $0.key.hasPrefix("cap/a/2025/12/07/16/") }
        let a17 = written.filter { $0.key.hasPrefix("cap/a/2025/12/07/17/") }
        #expect(a16.count == 4 && a16.values.map(\.count).sorted() == [1, 3, 3, 3])
        #expect(a17.count == 1 && a17.first?.value.count == 3)
        #expect(written.keys.filter { $0.hasPrefix("cap/b/2025/12/07/16/") }.count == 1)
        #expect(outcome.filesStarted == 6)
        // SageMaker's file naming: MM-SS-mmm-<uuid>.jsonl
        for path in written.keys {
            let name = (path as NSString).lastPathComponent
            #expect(name.range(of: #"^\d{2}-\d{2}-\d{3}-[0-9a-f-]{36}\.jsonl$"#, options: .regularExpression) != nil, "\(name)")
        }
    }

    @Test func aRecordLargerThanAFileGetsAFileOfItsOwn() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var files = CaptureFiles(root: root, maxFileBytes: 10)
        #expect(files.write([Self.event(id: "x"), Self.event(id: "y")]).written == 2)
        #expect(Self.files(root).values.map(\.count) == [1, 1])
    }

    @Test func unwritableDestinationFailsTheRecordsWithoutPartialLines() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A file where the endpoint's folder should be: creating folders under it fails, for root too.
        #expect(FileManager.default.createFile(atPath: root + "/cap", contents: Data("x".utf8)))
        var files = CaptureFiles(root: root, maxFileBytes: 1 << 20)
        let outcome = files.write([Self.event(id: "1"), Self.event(id: "2")])
        #expect(outcome.written == 0 && outcome.failed == 2 && outcome.error != nil)
        try FileManager.default.removeItem(atPath: root + "/cap")
        #expect(files.write([Self.event(id: "3")]).written == 1)
    }

    // MARK: Writer: batches, bounds and drops

    static func counter(_ registry: MetricsRegistry, _ series: String) -> Int {
        let text = String(decoding: registry.exposition(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Int(Double(line.split(separator: " ").last ?? "") ?? -1)
        }
        return 0
    }

    static func writer(_ root: String, _ registry: MetricsRegistry, configure: (inout CaptureWriterSettings) -> Void = { _ in })
        -> CaptureWriter
    {
        var settings = CaptureWriterSettings(destination: root)
        settings.flushInterval = .milliseconds(10)
        // Writes must not depend on how full the test machine's disk is (CI's was at 76%, above the 75% default).
        settings.diskUsageThreshold = 100
        configure(&settings)
        return CaptureWriter(settings: settings, metrics: CaptureMetrics(registry: registry), logger: .init(label: "test"))
    }

    @Test func writerWritesEveryQueuedRecordAndStops() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = MetricsRegistry()
        let writer = Self.writer(root, registry)
        writer.start()
        for i in 0..<500 { writer.enqueue(Self.event(id: "e\(i)")) }
        writer.stop(deadline: .now + .seconds(10))
        writer.enqueue(Self.event(id: "late"))
        let ids = Self.files(root).values.flatMap { $0 }.compactMap {
            (try? Self.object($0))?["eventMetadata"].flatMap { ($0 as? [String: String])?["eventId"] }
        }
        #expect(Set(ids) == Set((0..<500).map { "e\($0)" }) && ids.count == 500)
        #expect(Self.counter(registry, "tandem_capture_written_total") == 500)
        #expect(Self.counter(registry, #"tandem_capture_dropped_total{reason="stopped"}"#) == 1)
    }

    @Test func fullQueueDropsAndCounts() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = MetricsRegistry()
        // Not started: nothing drains, as with a disk that does not answer.
        let writer = Self.writer(root, registry) { $0.queueRecords = 5 }
        for i in 0..<8 { writer.enqueue(Self.event(id: "q\(i)")) }
        #expect(Self.counter(registry, #"tandem_capture_dropped_total{reason="queue_records"}"#) == 3)
        #expect(Self.counter(registry, #"tandem_limit_hits_total{limit="capture_queue_records"}"#) == 3)

        let bytes = MetricsRegistry()
        let small = Self.writer(root, bytes) { $0.queueBytes = 40 }
        for i in 0..<4 { small.enqueue(Self.event(id: "b\(i)")) }  // 8 + 19 bytes each
        #expect(Self.counter(bytes, #"tandem_capture_dropped_total{reason="queue_bytes"}"#) == 3)
    }

    @Test func diskAboveThresholdPausesCapture() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = MetricsRegistry()
        // Every disk in use is fuller than 0%: capture is paused from the first check.
        let writer = Self.writer(root, registry) { $0.diskUsageThreshold = 0 }
        writer.start()
        writer.enqueue(Self.event(id: "p0"))
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.counter(registry, "tandem_capture_paused") != 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        for i in 1..<20 { writer.enqueue(Self.event(id: "p\(i)")) }
        writer.stop(deadline: .now + .seconds(10))
        #expect(Self.counter(registry, "tandem_capture_paused") == 1)
        #expect(Self.counter(registry, #"tandem_capture_dropped_total{reason="disk_usage"}"#) == 20)
        #expect(Self.counter(registry, #"tandem_limit_hits_total{limit="capture_disk_usage"}"#) == 20)
        #expect(Self.counter(registry, "tandem_capture_written_total") == 0 && Self.files(root).isEmpty)
    }

    @Test func writeErrorsAreCountedAndCaptureRecovers() async throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let registry = MetricsRegistry()
        let writer = Self.writer(root, registry)
        #expect(FileManager.default.createFile(atPath: root + "/cap", contents: nil))
        writer.start()
        for i in 0..<10 { writer.enqueue(Self.event(id: "w\(i)")) }
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.counter(registry, #"tandem_capture_dropped_total{reason="write_error"}"#) < 10, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try FileManager.default.removeItem(atPath: root + "/cap")
        for i in 10..<15 { writer.enqueue(Self.event(id: "w\(i)")) }
        writer.stop(deadline: .now + .seconds(10))
        #expect(Self.counter(registry, #"tandem_capture_dropped_total{reason="write_error"}"#) == 10)
        #expect(Self.counter(registry, "tandem_capture_written_total") == 5)
        #expect(Self.files(root).values.map(\.count) == [5])
    }
}
