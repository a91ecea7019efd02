import TandemHTTP
import TandemServing
import Testing

/// What the responder answers before any model runs: unknown paths, wrong methods, and the formats
/// `/invocations` cannot read or write (each message names what was sent and what is supported).
@Suite("Route dispatch and refusals")
struct RouteDispatchTests {
    static let endpoint = "endpoint: routes\nproduction_variants:\n  - {name: a, model: fast, version: 1}\n"

    @Test(arguments: ["/", "/nope", "/invocations/extra", "/PING", "/models"])
    func unknownPathsAre404(path: String) async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(.get, path)
        #expect(response.status == 404)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "not_found")
        #expect((body["message"] as? String)?.contains(path) == true)
    }

    @Test(arguments: [
        (HTTPMethod.post, "/ping", "GET, HEAD"), (.delete, "/ping", "GET, HEAD"), (.get, "/invocations", "POST"),
        (.put, "/invocations", "POST"), (.post, "/execution-parameters", "GET, HEAD"),
    ])
    func wrongMethodsAre405WithAllow(method: HTTPMethod, path: String, allow: String) async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(method, path)
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == allow)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "method_not_allowed")
        #expect((body["message"] as? String)?.contains(method.rawValue) == true)
    }

    @Test(arguments: ["application/xml", "image/png", "text/html, application/xml;q=0.5", "application/json;q=0"])
    func unsatisfiableAcceptIs406(accept: String) async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(
            .post, "/invocations", headers: ["Content-Type": "text/csv", "Accept": accept], body: csvRows(1))
        #expect(response.status == 406)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "not_acceptable")
        let message = body["message"] as? String ?? ""
        #expect(message.contains(accept))
        for supported in ["text/csv", "application/json", "application/jsonlines"] { #expect(message.contains(supported)) }
    }

    @Test(arguments: ["application/x-image", "application/x-parquet", "image/jpeg", "text/plain", "nonsense"])
    func unsupportedContentTypeIs415(contentType: String) async throws {
        let (server, _fixture) = try syntheticServer(Self.endpoint)
        defer { server.shutdown(); _ = _fixture }
        let response = await server.send(.post, "/invocations", headers: ["Content-Type": contentType], body: csvRows(1))
        #expect(response.status == 415)
        let body = jsonObject(response)
        #expect(body["code"] as? String == "unsupported_media_type")
        #expect((body["message"] as? String)?.contains(contentType) == true)
    }
}
