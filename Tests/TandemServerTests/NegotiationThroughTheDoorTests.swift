import TandemHTTP
import TandemServing
import TandemTestSupport
import Testing

/// Content types and Accept as `/invocations` answers them, with a real ONNX model.
@Suite("Content negotiation through the SageMaker door")
struct NegotiationThroughTheDoorTests {
    static func server() throws -> (InProcessServerHandle) {
        let fixture = try ModelRepositoryFixture()
        try fixture.copyBundledModel("breast-cancer-logreg")
        try fixture.writeEndpoint("endpoint: formats\nproduction_variants:\n  - {name: a, model: breast-cancer-logreg, version: 1}\n")
        return InProcessServerHandle(try InProcessServer(source: .endpointFile(fixture.endpointFile)), fixture)
    }

    static let row = Array(repeating: "1.0", count: 30).joined(separator: ",")

    @Test func csvInCsvOut() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let response = await handle.server.send(
            .post, "/invocations", headers: ["Content-Type": "text/csv", "Accept": "text/csv"], text: Self.row + "\n" + Self.row)
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/csv")
        #expect(text(response).split(separator: "\n").count == 2)
    }

    @Test func jsonIsTheDefaultAnswerAndIsSniffedWithoutAContentType() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let response = await handle.server.send(.post, "/invocations", text: "{\"instances\": [[\(Self.row)]]}")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect((jsonObject(response)["predictions"] as? [Any])?.count == 1)
    }

    @Test func acceptWithQualitiesPicksTheBestSupported() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let response = await handle.server.send(
            .post, "/invocations",
            headers: ["Content-Type": "text/csv", "Accept": "application/json;q=0.5, application/jsonlines"], text: Self.row)
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "application/jsonlines")
    }

    @Test func unsupportedTypesAre415And406() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let in415 = await handle.server.send(.post, "/invocations", headers: ["Content-Type": "image/png"], text: Self.row)
        #expect(in415.status == 415)
        #expect(jsonObject(in415)["code"] as? String == "unsupported_media_type")
        let out406 = await handle.server.send(
            .post, "/invocations", headers: ["Content-Type": "text/csv", "Accept": "image/png"], text: Self.row)
        #expect(out406.status == 406)
        #expect(jsonObject(out406)["code"] as? String == "not_acceptable")
        // Both were routed first: the variant that refused them is named, and counted the 4xx.
        #expect(out406.headers["X-Amzn-Invoked-Production-Variant"] == "a")
        #expect(variantCounts(handle.server, "a")?.errors4xx == 2)
    }

    @Test func aBadCellIsNamedByRowAndColumn() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        var cells = Array(repeating: "1.0", count: 30)
        cells[4] = "abc"
        let response = await handle.server.send(
            .post, "/invocations", headers: csv, text: Self.row + "\n" + cells.joined(separator: ","))
        #expect(response.status == 400)
        let body = jsonObject(response)
        #expect(body["row"] as? Int == 2)
        #expect(body["column"] as? Int == 5)
        #expect(body["got"] as? String == "abc")
    }

    @Test func theRuntimeAPIDoorWrapsTheSameRefusal() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let response = await handle.server.send(
            .post, "/endpoints/formats/invocations", headers: ["Content-Type": "image/png"], text: Self.row)
        #expect(response.status == 424)
        #expect(response.headers["x-amzn-ErrorType"] == "ModelError")
        #expect(jsonObject(response)["OriginalStatusCode"] as? Int == 415)
        let ok = await handle.server.send(.post, "/endpoints/formats/invocations", headers: csv, text: Self.row)
        #expect(ok.status == 200)
        let wrongName = await handle.server.send(.post, "/endpoints/other/invocations", headers: csv, text: Self.row)
        #expect(wrongName.status == 400)
        #expect(wrongName.headers["x-amzn-ErrorType"] == "ValidationError")
    }
}
