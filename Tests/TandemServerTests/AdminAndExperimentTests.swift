import Foundation
import TandemHTTP
import TandemServing
import TandemTestSupport
import Testing

/// The admin routes (weights, reload) and the experiment routes (outcomes, report), in-process.
@Suite("Admin and experiment handlers")
struct AdminAndExperimentTests {
    static let endpoint = """
        endpoint: exp
        admin: {token: secret}
        experiment: {outcomes: true, control: a}
        production_variants:
          - {name: a, model: fast, version: 1, weight: 1}
          - {name: b, model: fast, version: 1, weight: 1}
        """
    static let admin: HTTPHeaders = ["Authorization": "Bearer secret", "Content-Type": "application/json"]

    @Test func adminCallsNeedTheToken() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let missing = await server.send(.get, "/admin/weights")
        #expect(missing.status == 401)
        #expect(missing.headers["WWW-Authenticate"] == "Bearer")
        let wrong = await server.send(.get, "/admin/weights", headers: ["X-Tandem-Admin-Token": "nope"])
        #expect(wrong.status == 401)
        let right = await server.send(.get, "/admin/weights", headers: ["X-Tandem-Admin-Token": "secret"])
        #expect(right.status == 200)
    }

    @Test func adminIsOffWithoutAToken() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint.replacingOccurrences(of: "admin: {token: secret}\n", with: ""))
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(.get, "/admin/weights", headers: Self.admin)
        #expect(response.status == 403)
        #expect(jsonObject(response)["code"] as? String == "admin_disabled")
    }

    @Test func weightsChangeTheSnapshotAndAreValidated() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let before = server.stack.endpoint.state?.generation ?? -1
        let set = await server.send(.post, "/admin/weights", headers: Self.admin, text: #"{"weights": {"a": 0, "b": 2}}"#)
        #expect(set.status == 200)
        let variants = jsonObject(set)["variants"] as? [[String: Any]] ?? []
        #expect(variants.first { $0["name"] as? String == "b" }?["share"] as? Double == 1.0)
        #expect((server.stack.endpoint.state?.generation ?? -1) > before)
        let routed = await server.send(.post, "/invocations", headers: csv, body: csvRows(1))
        #expect(routed.headers["X-Amzn-Invoked-Production-Variant"] == "b")
        // SageMaker's own request shape is taken too.
        let sageMaker = await server.send(
            .post, "/admin/weights", headers: Self.admin,
            text: #"{"DesiredWeightsAndCapacities": [{"VariantName": "a", "DesiredWeight": 1}]}"#)
        #expect(sageMaker.status == 200)
        for bad in [#"{"weights": {"a": -1}}"#, #"{"weights": {"zz": 1}}"#, #"{"weights": {"a": 0, "b": 0}}"#, "[1]", "{"] {
            let refused = await server.send(.post, "/admin/weights", headers: Self.admin, text: bad)
            #expect(refused.status == 400, "\(bad)")
            #expect(jsonObject(refused)["code"] as? String == "bad_weights", "\(bad)")
        }
    }

    @Test func reloadAnswersWithTheNewGenerationOrTheRefusal() async throws {
        let (server, fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown() }
        let reloaded = await server.send(.post, "/admin/reload", headers: Self.admin)
        #expect(reloaded.status == 200)
        #expect(jsonObject(reloaded)["reloaded"] as? Bool == true)
        try "endpoint: [unclosed".write(toFile: fixture.endpointFile, atomically: true, encoding: .utf8)
        let refused = await server.send(.post, "/admin/reload", headers: Self.admin)
        #expect(refused.status == 400)
        #expect(jsonObject(refused)["code"] as? String == "config_refused")
        let still = await server.send(.post, "/invocations", headers: csv, body: csvRows(1))
        #expect(still.status == 200, "the previous config keeps serving")
    }

    @Test func outcomesJoinTheVariantThatServed() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        var ids: [String: String] = [:]
        for _ in 0..<20 {
            let request = HTTPRequest(method: .post, target: "/invocations", headers: csv, body: csvRows(1))
            let response = await server.send(request)
            ids[request.id] = response.headers["X-Amzn-Invoked-Production-Variant"]
        }
        let targeted = HTTPRequest(
            method: .post, target: "/invocations", headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "b"],
            body: csvRows(1))
        _ = await server.send(targeted)
        let entries = ids.keys.map { #"{"request_id": "\#($0)", "value": 1}"# } + [#"{"request_id": "\#(targeted.id)", "value": 1}"#]
        let posted = await server.send(
            .post, "/outcomes", headers: Self.admin, text: #"{"outcomes": [\#(entries.joined(separator: ","))]}"#)
        #expect(posted.status == 200)
        let body = jsonObject(posted)
        #expect(body["accepted"] as? Int == 20)
        #expect(body["unknown_request_ids"] as? [String] == [targeted.id], "targeted requests were not randomised")
        let again = await server.send(
            .post, "/outcomes", headers: Self.admin, text: #"{"request_id": "\#(ids.keys.first ?? "")", "value": -3.5}"#)
        #expect(jsonObject(again)["duplicate_request_ids"] as? [String] == [ids.keys.first ?? ""])
        let report = jsonObject(await server.send(.get, "/experiment"))
        let variants = report["variants"] as? [[String: Any]] ?? []
        let total = variants.compactMap { $0["outcomes"] as? Int }.reduce(0, +)
        #expect(total == 20)
        #expect(report["control"] as? String == "a")
    }

    @Test func outcomesAreRefusedWhenTheExperimentIsOff() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint.replacingOccurrences(
            of: "experiment: {outcomes: true, control: a}\n", with: ""))
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(.post, "/outcomes", headers: Self.admin, text: #"{"request_id": "x", "value": 1}"#)
        #expect(response.status == 409)
        #expect(jsonObject(response)["code"] as? String == "experiment_disabled")
    }

    @Test func aRequestKeepsItsSnapshotToTheEndTheLedgerIncluded() async throws {
        // The request starts under a config with the experiment on; the config is reloaded without it
        // while the model runs; the answer is still noted for its outcome, as its snapshot says.
        let (server, fixture) = try syntheticServer("""
            endpoint: exp
            experiment: {outcomes: true, control: a}
            production_variants:
              - {name: a, model: slow, version: 1, weight: 1}
            """, slowMs: 1000)
        defer { server.shutdown() }
        let config = try #require(server.stack.endpoint.state?.config.experiment)
        let request = HTTPRequest(method: .post, target: "/invocations", headers: csv, body: csvRows(1))
        async let answer = server.send(request)
        #expect(await server.wait { server.stack.pool.outstanding >= 1 })
        try fixture.writeEndpoint("endpoint: exp\nproduction_variants:\n  - {name: a, model: fast, version: 1, weight: 1}\n")
        let reloaded: Bool = await withCheckedContinuation { continuation in
            server.stack.reload { result in
                if case .success = result { continuation.resume(returning: true) } else { continuation.resume(returning: false) }
            }
        }
        #expect(reloaded)
        #expect(server.stack.endpoint.state?.config.experiment == nil)
        let response = await answer
        #expect(response.status == 200)
        #expect(response.headers["X-Tandem-Model"] == "slow/1", "the old snapshot's model answered")
        #expect(server.stack.service.experiments.ledger(config).record(request.id, value: 1).verdict == .accepted)
    }
}
