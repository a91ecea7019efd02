import TandemHTTP
import TandemServing
import Testing

/// How `/invocations` picks the variant: an explicit target, else the sticky key, else a weighted draw.
@Suite("Routing precedence through the responder")
struct RoutingPrecedenceTests {
    static let endpoint = """
        endpoint: routing
        routing:
          salt: s
          sticky_key: {custom_attribute: user}
        production_variants:
          - {name: a, model: fast, version: 1, weight: 1}
          - {name: b, model: fast, version: 1, weight: 0}
        """

    @Test func weightedDrawFollowsTheWeights() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        for _ in 0..<20 {
            let response = await server.send(.post, "/invocations", headers: csv, body: csvRows(1))
            #expect(response.status == 200)
            #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == "a")
            #expect(response.headers["X-Tandem-Routing"] == "weighted")
        }
    }

    @Test func targetBeatsStickyAndWeight() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(
            .post, "/invocations",
            headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "b",
                      "X-Amzn-SageMaker-Custom-Attributes": "user=alice"],
            body: csvRows(1))
        #expect(response.status == 200)
        #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == "b")
        #expect(response.headers["X-Tandem-Routing"] == "target")
    }

    @Test func stickyKeyBeatsTheDrawAndStaysPut() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint.replacingOccurrences(of: "weight: 0", with: "weight: 1"))
        defer { server.shutdown(); _ = _fixture }
        for user in ["alice", "bob", "carol", "dave"] {
            var seen: Set<String> = []
            for _ in 0..<5 {
                let response = await server.send(
                    .post, "/invocations",
                    headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Custom-Attributes": "trace=1;user=\(user)"],
                    body: csvRows(1))
                #expect(response.headers["X-Tandem-Routing"] == "sticky")
                seen.insert(response.headers["X-Amzn-Invoked-Production-Variant"] ?? "")
            }
            #expect(seen.count == 1, "user \(user) moved between variants: \(seen)")
        }
    }

    @Test func stickyKeyFromAHeader() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint.replacingOccurrences(
            of: "{custom_attribute: user}", with: "{header: X-User-Id}"))
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(
            .post, "/invocations", headers: ["Content-Type": "text/csv", "X-User-Id": "alice"], body: csvRows(1))
        #expect(response.headers["X-Tandem-Routing"] == "sticky")
    }

    @Test func unknownTargetIsRefusedWithTheVariantsThereAre() async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(
            .post, "/invocations", headers: ["Content-Type": "text/csv", "X-Amzn-SageMaker-Target-Variant": "zz"],
            body: csvRows(1))
        #expect(response.status == 400)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "unknown_variant")
        #expect(body["variants"] as? [String] == ["a", "b"])
        #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == nil)
    }

    @Test func aFailedOnlyVariantLeavesNothingToRouteTo() async throws {
        let (server, _fixture) = try syntheticServer("""
            endpoint: gone
            production_variants:
              - {name: a, model: corrupt, version: 1, weight: 1}
            """)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(.post, "/invocations", headers: csv, body: csvRows(1))
        #expect(response.status == 503)
        #expect(jsonObject(response)["code"] as? String == "no_variant_available")
        #expect(response.headers["Retry-After"] == "5")
    }
}
