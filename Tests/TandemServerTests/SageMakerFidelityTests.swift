import TandemHTTP
import TandemTestSupport
import Testing
@testable import TandemServer
@testable import TandemServing

/// What behaves as it will behind a real SageMaker endpoint: forwarded headers only in the Runtime API
/// emulation, stateful sessions, custom attributes kept, and parameters this endpoint cannot honour refused.
@Suite("SageMaker fidelity: sessions, forwarded headers, custom attributes")
struct SageMakerFidelityTests {
    static let endpoint = """
        endpoint: fidelity
        routing:
          salt: s
          sticky_key: {header: X-User-Id}
        production_variants:
          - {name: a, model: fast, version: 1, weight: 1}
          - {name: b, model: fast, version: 1, weight: 1}
        """

    @Test func theEmulationStripsHeadersSageMakerDoesNotForward() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let headers: HTTPHeaders = ["Content-Type": "text/csv", "X-User-Id": "alice"]
        let direct = await server.send(.post, "/invocations", headers: headers, body: csvRows(1))
        #expect(direct.headers["X-Tandem-Routing"] == "sticky", "a container called directly sees every header")
        let emulated = await server.send(.post, "/endpoints/fidelity/invocations", headers: headers, body: csvRows(1))
        #expect(emulated.status == 200)
        #expect(emulated.headers["X-Tandem-Routing"] == "weighted", "SageMaker strips X-User-Id: so does the emulation")
    }

    @Test func aHeaderKeyedConfigIsWarnedAbout() throws {
        let warned = try EndpointConfig.parse(Self.endpoint, file: "e.yaml", directory: ".", environment: [:])
        #expect(SageMakerFidelity.warnings(warned).first?.contains("X-User-Id") == true)
        let fine = try EndpointConfig.parse(
            Self.endpoint.replacingOccurrences(of: "{header: X-User-Id}", with: "{custom_attribute: user}"), file: "e.yaml",
            directory: ".", environment: [:])
        #expect(SageMakerFidelity.warnings(fine).isEmpty)
    }

    @Test func customAttributesKeepTheCallersAndAppendTandems() throws {
        let route = ServedRoute(variant: "a", model: ModelID(name: "m", version: 1), rule: .weighted)
        #expect(SageMakerInvocations.customAttributes(route, caller: nil) == "variant=a,model=m/1,routing=weighted")
        #expect(SageMakerInvocations.customAttributes(route, caller: "trace=abc")
            == "trace=abc,variant=a,model=m/1,routing=weighted")
        let long = String(repeating: "x", count: 1010)
        let kept = SageMakerInvocations.customAttributes(route, caller: long)
        #expect(kept.hasPrefix(long))
        #expect(kept.utf8.count <= 1024)
        #expect(kept == long + ",variant=a")
    }

    @Test func customAttributesRoundTripThroughBothDoors() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let headers: HTTPHeaders = ["Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "trace=t-1"]
        for path in ["/invocations", "/endpoints/fidelity/invocations"] {
            let response = await server.send(.post, path, headers: headers, body: csvRows(1))
            #expect(response.headers["X-Amzn-SageMaker-Custom-Attributes"]?.hasPrefix("trace=t-1,variant=") == true, "\(path)")
        }
    }

    @Test func sessionsOpenStickAndClose() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        for path in ["/invocations", "/endpoints/fidelity/invocations"] {
            let opened = await server.send(
                .post, path, headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": "NEW_SESSION"],
                body: csvRows(1))
            #expect(opened.status == 200)
            let header = try #require(opened.headers["X-Amzn-SageMaker-New-Session-Id"])
            let id = String(header.prefix { $0 != ";" })
            #expect(header.contains("; Expires=20"))
            let variant = try #require(opened.headers["X-Amzn-Invoked-Production-Variant"])
            for _ in 0..<10 {
                let next = await server.send(
                    .post, path, headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": id], body: csvRows(1))
                #expect(next.headers["X-Amzn-Invoked-Production-Variant"] == variant)
                #expect(next.headers["X-Tandem-Routing"] == "session")
                #expect(next.headers["X-Amzn-SageMaker-New-Session-Id"] == nil)
            }
            let closed = await server.send(
                .post, path,
                headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": id,
                          "X-Amzn-SageMaker-Custom-Attributes": "session=close"],
                body: csvRows(1))
            #expect(closed.status == 200)
            #expect(closed.headers["X-Amzn-SageMaker-Closed-Session-Id"] == id)
            let gone = await server.send(
                .post, path, headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": id], body: csvRows(1))
            #expect(gone.status == 400)
            #expect(jsonObject(gone)["code"] as? String == (path == "/invocations" ? "unknown_session" : "ValidationError"))
        }
        #expect(server.stack.service.sessions.count == 0)
    }

    @Test func aFailedRequestOpensNoSession() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let failed = await server.send(
            .post, "/invocations",
            headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": "NEW_SESSION"], body: csvRows(1, features: 2))
        #expect(failed.status == 400)
        #expect(failed.headers["X-Amzn-SageMaker-New-Session-Id"] == nil)
        #expect(server.stack.service.sessions.count == 0)
    }

    @Test func theSessionLimitRefusesNewSessions() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint, environment: ["TANDEM_MAX_SESSIONS": "1"])
        defer { server.shutdown(); _ = _fixture }
        let headers: HTTPHeaders = ["Content-Type": "text/csv", "X-Amzn-SageMaker-Session-Id": "NEW_SESSION"]
        #expect(await server.send(.post, "/invocations", headers: headers, body: csvRows(1)).status == 200)
        let refused = await server.send(.post, "/invocations", headers: headers, body: csvRows(1))
        #expect(refused.status == 503)
        #expect(jsonObject(refused)["code"] as? String == "session_limit")
        #expect(refused.headers["Retry-After"] == "1")
    }

    @Test func targetModelAndInferenceComponentsAreRefusedAsSageMakerDoes() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        for header in ["X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Component"] {
            let response = await server.send(
                .post, "/endpoints/fidelity/invocations", headers: ["Content-Type": "text/csv", header: "x"], body: csvRows(1))
            #expect(response.status == 400, "\(header)")
            #expect(response.headers["x-amzn-ErrorType"] == "ValidationError")
        }
    }
}
