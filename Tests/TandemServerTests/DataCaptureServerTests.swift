import Foundation
import TandemHTTP
import TandemServer
import TandemServing
import TandemTestSupport
import Testing

/// Data capture through the responder: sampled invocations become records that match the requests one for
/// one (id, body, answer, variant), shadows are captured when asked and marked so, and check-config says
/// where capture writes.
@Suite("Data capture through the responder")
struct DataCaptureServerTests {
    static func endpoint(sampling: Double, extra: String = "", shadows: String = "") -> String {
        """
        endpoint: cap
        production_variants:
          - {name: a, model: fast, version: 1, weight: 1}
          - {name: b, model: slow, version: 1, weight: 1}
        \(shadows)
        data_capture:
          sampling_percentage: \(sampling)
          destination: capture
          flush_ms: 10
          disk_usage_threshold_percentage: 100
        \(extra)
        """
    }

    /// Every record under the fixture's capture folder, parsed (a line that does not parse fails the test).
    static func records(_ root: String) throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        let folder = root + "/capture"
        for case let path as String in FileManager.default.enumerator(atPath: folder)?.allObjects ?? [] where path.hasSuffix(".jsonl") {
            let bytes = Array(FileManager.default.contents(atPath: folder + "/" + path) ?? Data())
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                let record = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
                found.append(try #require(record))
                // The folder says endpoint/variant/yyyy/mm/dd/hh.
                let tandem = record?["tandem"] as? [String: Any]
                #expect(path.hasPrefix("cap/\(tandem?["variant"] as? String ?? "?")/"))
            }
        }
        return found
    }

    @Test func sampledRecordsMatchTheirRequests() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint(sampling: 30), slowMs: 0, workers: 2)
        var answers: [String: (body: String, variant: String, answer: [UInt8])] = [:]
        let total = 600
        await withTaskGroup(of: (String, String, String, [UInt8]).self) { group in
            for i in 0..<total {
                group.addTask {
                    let body = "\(i).5,1,2"
                    let request = HTTPRequest(
                        method: .post, target: "/invocations",
                        headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Inference-Id": "inf-\(i)"], body: Array(body.utf8))
                    let response = await server.send(request)
                    return (request.id, body, response.headers["X-Amzn-Invoked-Production-Variant"] ?? "", response.body)
                }
            }
            for await (id, body, variant, answer) in group { answers[id] = (body, variant, answer) }
        }
        server.stack.capture.stop(deadline: .now + .seconds(10))
        server.shutdown()
        let records = try Self.records(fixture.root)
        // 30% of 600: mean 180, sd 11.2; 5 sd either side.
        #expect(records.count > 124 && records.count < 236, "\(records.count) records")
        var seen: Set<String> = []
        var variants: Set<String> = []
        for record in records {
            let metadata = try #require(record["eventMetadata"] as? [String: String])
            let id = try #require(metadata["eventId"])
            let sent = try #require(answers[id], "record for unknown request \(id)")
            #expect(seen.insert(id).inserted)
            let data = try #require(record["captureData"] as? [String: [String: String]])
            #expect(data["endpointInput"]?["data"] == sent.body && data["endpointInput"]?["encoding"] == "CSV")
            #expect(data["endpointOutput"]?["data"] == String(decoding: sent.answer, as: UTF8.self))
            #expect(data["endpointOutput"]?["observedContentType"] == "application/json")
            #expect(metadata["inferenceId"] == "inf-" + String(sent.body.prefix { $0 != "." }))
            let tandem = try #require(record["tandem"] as? [String: Any])
            #expect(tandem["variant"] as? String == sent.variant && tandem["shadow"] as? Bool == false)
            variants.insert(sent.variant)
        }
        #expect(variants == ["a", "b"])
    }

    @Test func shadowsAreCapturedWhenAskedAndMarked() async throws {
        let (server, fixture) = try syntheticServer(
            Self.endpoint(
                sampling: 100, extra: "  capture_shadows: true\n  capture_options: [output]",
                shadows: "shadow_variants:\n  - {name: s, model: fast, version: 1, sampling_percentage: 100}"),
            // Three workers: with as many workers as production variants, each reserves one and the shadow
            // lane never gets a worker (WorkerPool's reservation rule; reported, not changed here).
            slowMs: 0, workers: 3)
        var ids: Set<String> = []
        for _ in 0..<20 {
            let request = HTTPRequest(method: .post, target: "/invocations", headers: csv, body: csvRows(1))
            #expect(await server.send(request).status == 200)
            ids.insert(request.id)
        }
        let idle = await server.waitUntilIdle()
        #expect(idle, "pool outstanding \(server.stack.pool.outstanding), s: \(String(describing: variantCounts(server, "s")))")
        server.stack.capture.stop(deadline: .now + .seconds(10))
        server.shutdown()
        let records = try Self.records(fixture.root)
        let shadow = records.filter { ($0["tandem"] as? [String: Any])?["shadow"] as? Bool == true }
        #expect(records.count == 40 && shadow.count == 20, "\(records.count) records, \(shadow.count) shadow")
        for record in shadow {
            #expect((record["tandem"] as? [String: Any])?["variant"] as? String == "s")
            let data = try #require(record["captureData"] as? [String: [String: String]])
            #expect(data["endpointInput"] == nil && data["endpointOutput"]?["mode"] == "OUTPUT")
            #expect(ids.contains((record["eventMetadata"] as? [String: String])?["eventId"] ?? ""))
        }
    }

    @Test func failedInvocationsAndZeroPercentAreNotCaptured() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint(sampling: 0), slowMs: 0)
        for _ in 0..<20 { #expect(await server.send(.post, "/invocations", headers: csv, body: csvRows(1)).status == 200) }
        #expect(await server.waitUntilIdle())
        server.stack.capture.stop(deadline: .now + .seconds(10))
        server.shutdown()
        #expect(try Self.records(fixture.root).isEmpty)

        let (full, fullFixture) = try syntheticServer(Self.endpoint(sampling: 100), slowMs: 0)
        #expect(await full.send(.post, "/invocations", headers: csv, body: Array("not,a,number".utf8)).status == 400)
        #expect(await full.send(.post, "/invocations", headers: csv, body: csvRows(1)).status == 200)
        // The record is handed to capture after the answer is sent: wait for the worker to finish the job.
        #expect(await full.waitUntilIdle())
        full.stack.capture.stop(deadline: .now + .seconds(10))
        full.shutdown()
        #expect(try Self.records(fullFixture.root).count == 1)
    }

    @Test func checkConfigReportsCapture() throws {
        let fixture = try ModelRepositoryFixture()
        try fixture.addSynthetic("fast", yaml: "features: 3\n")
        try fixture.addSynthetic("slow", yaml: "features: 3\n")
        try fixture.writeEndpoint(Self.endpoint(sampling: 12.5))
        let report = ConfigCheck.run(source: .endpointFile(fixture.endpointFile), environment: [:], loader: .standard)
        #expect(report.ok)
        #expect(report.text.contains("data capture: 12.5% of invocations (input, output) to \(fixture.root)/capture;"))
        let moved = ConfigCheck.run(
            source: .endpointFile(fixture.endpointFile), environment: ["TANDEM_CAPTURE_DIR": "/tmp/elsewhere"], loader: .standard)
        #expect(moved.text.contains("to /tmp/elsewhere;"))
    }
}
