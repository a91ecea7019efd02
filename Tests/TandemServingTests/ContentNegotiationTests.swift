import Testing

@testable import TandemServing

/// Request and response format selection: q-values, wildcards, defaults, 406 and 415.
@Suite struct ContentNegotiationTests {
    let negotiation = ContentNegotiation()

    func request(_ contentType: String?, _ body: String = "1,2") throws(PayloadError) -> PayloadFormat {
        try negotiation.requestFormat(contentType: contentType, body: Array(body.utf8))
    }

    @Test func requestTypesAndAliases() throws {
        #expect(try request("text/csv") == .csv)
        #expect(try request("text/csv; charset=utf-8") == .csv)
        #expect(try request("TEXT/CSV") == .csv)
        #expect(try request("application/csv") == .csv)
        #expect(try request("application/json") == .json)
        #expect(try request("application/json; charset=UTF-8") == .json)
        #expect(try request("application/jsonlines") == .jsonLines)
        #expect(try request("application/x-ndjson") == .jsonLines)
    }

    @Test func missingContentTypeSniffsTheBody() throws {
        #expect(try request(nil, "1,2,3") == .csv)
        #expect(try request(nil, "  {\"instances\": []}") == .json)
        #expect(try request(nil, "\n[1, 2]") == .json)
        #expect(try request("  ", "[1]") == .json)
    }

    @Test func unsupportedContentTypeIs415() {
        for type in ["image/png", "application/x-protobuf", "garbage"] {
            let error = #expect(throws: PayloadError.self) { try request(type) }
            #expect(error?.status == 415)
            #expect(error?.code == "unsupported_media_type")
            #expect(error?.message.contains("text/csv") == true)
        }
    }

    @Test func acceptDefaults() throws {
        #expect(try negotiation.responseFormat(accept: nil) == .json)
        #expect(try negotiation.responseFormat(accept: "") == .json)
        #expect(try negotiation.responseFormat(accept: "*/*") == .json)
        let csvDefault = ContentNegotiation(defaultAccept: .csv)
        #expect(try csvDefault.responseFormat(accept: nil) == .csv)
        #expect(try csvDefault.responseFormat(accept: "*/*") == .csv)
        #expect(try csvDefault.responseFormat(accept: "application/json") == .json)
    }

    @Test func acceptQValuesPickTheHighest() throws {
        #expect(try negotiation.responseFormat(accept: "text/csv") == .csv)
        #expect(try negotiation.responseFormat(accept: "text/csv;q=0.5, application/json") == .json)
        #expect(try negotiation.responseFormat(accept: "application/json;q=0.1, text/csv;q=0.9") == .csv)
        #expect(try negotiation.responseFormat(accept: "application/jsonlines;q=1, application/json;q=0.8") == .jsonLines)
        // A more specific range overrides the wildcard's quality for that type.
        #expect(try negotiation.responseFormat(accept: "*/*;q=0.5, application/json;q=0") == .csv)
        // Unknown types in the list are skipped.
        #expect(try negotiation.responseFormat(accept: "image/png, text/csv;q=0.2") == .csv)
    }

    @Test func acceptWildcards() throws {
        #expect(try negotiation.responseFormat(accept: "text/*") == .csv)
        #expect(try negotiation.responseFormat(accept: "application/*") == .json)
        #expect(try ContentNegotiation(defaultAccept: .jsonLines).responseFormat(accept: "application/*") == .jsonLines)
    }

    @Test func nothingAcceptableIs406() {
        for accept in ["image/png", "application/json;q=0", "text/html, image/*"] {
            let error = #expect(throws: PayloadError.self) { try negotiation.responseFormat(accept: accept) }
            #expect(error?.status == 406)
            #expect(error?.code == "not_acceptable")
        }
    }
}
