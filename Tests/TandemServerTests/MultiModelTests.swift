import Foundation
import TandemHTTP
import TandemServer
import TandemServing
import TandemTestSupport
import Testing

/// The multi-model endpoint in-process: the `/models` routes and their codes, paging, the memory budget with
/// least-recently-used eviction that never takes a busy model, shared loads, synchronous unloads.
@Suite("Multi-model endpoint")
struct MultiModelTests {
    /// A directory of model directories, each a synthetic model padded to `bytes` on disk.
    final class Models: Sendable {
        let root: String
        init() throws {
            root = NSTemporaryDirectory() + "tandem-mme-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// `root/name/model/synthetic.yaml`, `bytes` long; returns the `url` SageMaker would send.
        @discardableResult
        func add(_ name: String, bytes: Int = 1000, latencyMs: Int = 0) throws -> String {
            let directory = root + "/" + name + "/model"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var yaml = "features: 3\nlatency_ms: \(latencyMs)\n"
            yaml += "#" + String(repeating: "x", count: max(0, bytes - yaml.utf8.count - 2)) + "\n"
            try yaml.write(toFile: directory + "/synthetic.yaml", atomically: true, encoding: .utf8)
            return directory
        }
    }

    static func server(budget: Int = 1 << 30, extra: [String: String] = [:]) throws -> InProcessServer {
        var environment = ["SAGEMAKER_MULTI_MODEL": "true", "TANDEM_MME_MEMORY_BUDGET_BYTES": "\(budget)"]
        environment.merge(extra) { $1 }
        return try InProcessServer(source: .modelDirectory("/nonexistent"), workers: 2, environment: environment, load: false)
    }

    static let json: HTTPHeaders = ["Content-Type": "application/json"]

    static func load(_ server: InProcessServer, _ name: String, _ url: String) async -> HTTPResponse {
        await server.send(.post, "/models", headers: json, text: "{\"model_name\": \"\(name)\", \"url\": \"\(url)\"}")
    }

    static func invoke(_ server: InProcessServer, _ name: String) async -> HTTPResponse {
        await server.send(.post, "/models/\(name)/invoke", headers: csv, body: csvRows(1))
    }

    @Test func theRoutesAnswerAsSageMakerExpects() async throws {
        let models = try Models()
        let url = try models.add("a1b2")
        let server = try Self.server()
        defer { server.shutdown() }
        #expect(await server.send(.get, "/ping").status == 200)
        #expect(await Self.load(server, "a1b2", url).status == 200)
        let again = await Self.load(server, "a1b2", url)
        #expect(again.status == 409)
        #expect(jsonObject(again)["code"] as? String == "model_already_loaded")
        let one = await server.send(.get, "/models/a1b2")
        #expect(one.status == 200)
        #expect(jsonObject(one)["modelName"] as? String == "a1b2")
        #expect(jsonObject(one)["modelUrl"] as? String == url)
        let listed = jsonObject(await server.send(.get, "/models"))["models"] as? [[String: Any]]
        #expect(listed?.count == 1)
        let answer = await Self.invoke(server, "a1b2")
        #expect(answer.status == 200, "\(text(answer))")
        #expect(await server.send(.delete, "/models/a1b2").status == 200)
        #expect(await server.send(.get, "/models/a1b2").status == 404)
        #expect(await Self.invoke(server, "a1b2").status == 404)
        #expect(await server.send(.delete, "/models/a1b2").status == 404)
        #expect(await Self.load(server, "gone", models.root + "/nothing-here").status == 404)
        #expect(await Self.load(server, "dev", "/dev/zero").status == 400)
        #expect(await server.send(.post, "/models", headers: Self.json, text: "{\"url\": \"/x\"}").status == 400)
        #expect(await server.send(.put, "/models/a1b2").status == 405)
        // Loaded again after the unload, with fresh series.
        #expect(await Self.load(server, "a1b2", url).status == 200)
        #expect(await Self.invoke(server, "a1b2").status == 200)
    }

    @Test func listingPagesWithNextPageToken() async throws {
        let models = try Models()
        let server = try Self.server(extra: ["TANDEM_MME_PAGE_SIZE": "3"])
        defer { server.shutdown() }
        for index in 0..<7 {
            #expect(await Self.load(server, "m\(index)", try models.add("m\(index)", bytes: 100)).status == 200)
        }
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let path = "/models" + (token.map { "?next_page_token=\($0)" } ?? "")
            let page = jsonObject(await server.send(.get, path))
            names += ((page["models"] as? [[String: Any]]) ?? []).compactMap { $0["modelName"] as? String }
            token = page["nextPageToken"] as? String
            pages += 1
        } while token != nil && pages < 10
        #expect(names == (0..<7).map { "m\($0)" })
        #expect(pages == 3)
        #expect(await server.send(.get, "/models?next_page_token=abc").status == 400)
    }

    @Test func leastRecentlyUsedIdleModelsMakeRoom() async throws {
        let models = try Models()
        let server = try Self.server(budget: 2500)
        defer { server.shutdown() }
        #expect(await Self.load(server, "a", try models.add("a")).status == 200)
        #expect(await Self.load(server, "b", try models.add("b")).status == 200)
        #expect(await Self.invoke(server, "a").status == 200)
        // c needs room for one more: b is the least recently used.
        #expect(await Self.load(server, "c", try models.add("c")).status == 200)
        #expect(await server.send(.get, "/models/b").status == 404)
        #expect(await server.send(.get, "/models/a").status == 200)
        #expect(server.stack.models?.loadedCount == 2)
        let metrics = text(await server.send(.get, "/metrics"))
        #expect(metrics.contains("tandem_mme_model_evictions_total 1"))
        #expect(metrics.contains("tandem_mme_loaded_model_count 2"))
    }

    @Test func aModelLargerThanTheBudgetIs507() async throws {
        let models = try Models()
        let server = try Self.server(budget: 500)
        defer { server.shutdown() }
        let refused = await Self.load(server, "big", try models.add("big", bytes: 1000))
        #expect(refused.status == 507)
        #expect(jsonObject(refused)["code"] as? String == "insufficient_memory")
        #expect(text(await server.send(.get, "/metrics")).contains("tandem_limit_hits_total{limit=\"mme_memory_budget\"}"))
    }

    @Test func aModelWithRequestsInFlightIsNeverEvicted() async throws {
        let models = try Models()
        let server = try Self.server(budget: 1500)
        defer { server.shutdown() }
        #expect(await Self.load(server, "slow", try models.add("slow", latencyMs: 1500)).status == 200)
        async let busy = Self.invoke(server, "slow")
        #expect(await server.wait { server.stack.models?.model("slow")?.endpoint.state?.production[0].metrics.counts.inFlight == 1 })
        // The only candidate is busy: the new model does not fit, so 507 and the busy one stays.
        #expect(await Self.load(server, "next", try models.add("next")).status == 507)
        #expect(await busy.status == 200)
        #expect(await server.send(.get, "/models/slow").status == 200)
        // Idle now: it makes room.
        #expect(await Self.load(server, "next", try models.add("next2")).status == 200)
        #expect(await server.send(.get, "/models/slow").status == 404)
    }

    @Test func unloadWaitsForRequestsInFlight() async throws {
        let models = try Models()
        let server = try Self.server()
        defer { server.shutdown() }
        #expect(await Self.load(server, "slow", try models.add("slow", latencyMs: 1500)).status == 200)
        async let busy = Self.invoke(server, "slow")
        #expect(await server.wait { server.stack.models?.model("slow")?.endpoint.state?.production[0].metrics.counts.inFlight == 1 })
        let deleted = await server.send(.delete, "/models/slow")
        #expect(deleted.status == 200)
        // DELETE answered only after the request it was serving did, and that request succeeded.
        #expect(await busy.status == 200)
        #expect(await Self.invoke(server, "slow").status == 404)
    }

    @Test func concurrentRequestsShareOneLoad() async throws {
        let models = try Models()
        try models.add("shared")
        let server = try Self.server(extra: ["TANDEM_MME_MODEL_ROOT": models.root])
        defer { server.shutdown() }
        let host = try #require(server.stack.models)
        let identities = await withTaskGroup(of: ObjectIdentifier?.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        host.acquireLoading("shared", url: { models.root + "/shared/model" }) { outcome in
                            guard case .success(let acquired) = outcome else { return continuation.resume(returning: nil) }
                            host.release(acquired.model)
                            continuation.resume(returning: ObjectIdentifier(acquired.model))
                        }
                    }
                }
            }
            var all: [ObjectIdentifier?] = []
            for await identity in group { all.append(identity) }
            return all
        }
        #expect(identities.count == 16)
        #expect(Set(identities).count == 1)
        #expect(identities.allSatisfy { $0 != nil })
        let metrics = text(await server.send(.get, "/metrics"))
        #expect(metrics.contains("tandem_mme_model_loading_time_seconds_count 1"))
    }

    @Test func anUnsafeArchiveIsRefusedNamingTheEntry() async throws {
        let models = try Models()
        let extract = models.root + "/extracted"
        let server = try Self.server(extra: ["TANDEM_MME_EXTRACT_DIR": extract])
        defer { server.shutdown() }
        // tar with an entry that climbs out, made by tar itself (-P keeps the '..').
        let archive = models.root + "/evil.tar.gz"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.currentDirectoryURL = URL(fileURLWithPath: models.root)
        try "x".write(toFile: models.root + "/victim.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: models.root + "/d", withIntermediateDirectories: true)
        process.arguments = ["-c", "tar -czPf evil.tar.gz d/../victim.txt"]
        try process.run()
        process.waitUntilExit()
        let refused = await Self.load(server, "evil", archive)
        #expect(refused.status == 400)
        #expect(text(refused).contains("d/../victim.txt"), "\(text(refused))")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: extract)) ?? []).isEmpty)
    }
}
