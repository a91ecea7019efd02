import Testing
@testable import TandemHTTP

/// Feeds `input` in the given pieces and collects every event (stops at the first error).
private func parseEvents(_ input: [UInt8], splits: [Int] = [], maxHeader: Int = 64 * 1024,
                         maxBody: Int = 1024 * 1024) -> [HTTPParseEvent] {
    var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: maxHeader, maxBodyBytes: maxBody))
    var events: [HTTPParseEvent] = []
    var boundaries = [0] + splits.filter { $0 > 0 && $0 < input.count } + [input.count]
    boundaries.sort()
    for i in 0..<(boundaries.count - 1) {
        let piece = Array(input[boundaries[i]..<boundaries[i + 1]])
        var offset = 0
        var rounds = 0
        repeat {
            rounds += 1
            let (event, used) = parser.parse(piece.span.extracting(offset...))
            offset += used
            if case .needMore = event { break }
            events.append(event)
            if case .error = event { return events }
        } while offset < piece.count && rounds < 10_000
    }
    return events
}

private func requests(_ events: [HTTPParseEvent]) -> [ParsedRequest] {
    events.compactMap { if case .request(let r) = $0 { r } else { nil } }
}

private func firstError(_ events: [HTTPParseEvent]) -> HTTPParseError? {
    for event in events { if case .error(let e) = event { return e } }
    return nil
}

@Suite("HTTP request parser")
struct ParserTests {
    let simple = Array("GET /ping?x=1 HTTP/1.1\r\nHost: a\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n".utf8)

    @Test func parsesSimpleGet() {
        let reqs = requests(parseEvents(simple))
        #expect(reqs.count == 1)
        let r = reqs[0]
        #expect(r.method == .get)
        #expect(r.target == "/ping?x=1")
        #expect(r.versionMinor == 1)
        #expect(r.keepAlive)
        #expect(r.headers["host"] == "a")
        #expect(r.headers.values("X-MULTI") == ["1", "2"])
        let request = HTTPRequest(method: r.method, target: r.target)
        #expect(request.path == "/ping")
        #expect(request.query == "x=1")
    }

    @Test func everySplitPointOfPipelinedRequests() {
        let text = "POST /invocations HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n"
            + "GET /last HTTP/1.0\r\n\r\n"
        let input = Array(text.utf8)
        for split in 0...input.count {
            let reqs = requests(parseEvents(input, splits: [split]))
            #expect(reqs.count == 3, "split at \(split)")
            guard reqs.count == 3 else { return }
            #expect(reqs[0].body == Array("hello".utf8))
            #expect(reqs[1].body == Array("abc0123456789abcdef".utf8))
            #expect(reqs[2].target == "/last")
            #expect(!reqs[2].keepAlive)
        }
    }

    @Test func byteAtATime() {
        let input = Array("PUT /x HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc".utf8)
        let reqs = requests(parseEvents(input, splits: Array(1..<input.count)))
        #expect(reqs.count == 1)
        #expect(reqs.first?.body == Array("abc".utf8))
        #expect(reqs.first?.method == .put)
    }

    @Test func bareLFLineEndingsAndLeadingEmptyLines() {
        let reqs = requests(parseEvents(Array("\r\n\nGET / HTTP/1.1\nHost: x\n\n".utf8)))
        #expect(reqs.count == 1)
        #expect(reqs.first?.headers["host"] == "x")
    }

    @Test func keepAliveRules() {
        let close = requests(parseEvents(Array("GET / HTTP/1.1\r\nConnection: close\r\n\r\n".utf8)))
        #expect(close.first?.keepAlive == false)
        let ka10 = requests(parseEvents(Array("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".utf8)))
        #expect(ka10.first?.keepAlive == true)
        let plain10 = requests(parseEvents(Array("GET / HTTP/1.0\r\n\r\n".utf8)))
        #expect(plain10.first?.keepAlive == false)
    }

    @Test func expectContinueComesBeforeBody() {
        let input = Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok".utf8)
        let events = parseEvents(input)
        #expect(events.count == 2)
        if case .continueExpected = events.first {} else { Issue.record("expected continue first") }
        #expect(requests(events).first?.body == Array("ok".utf8))
    }

    @Test func payloadTooLargeFromContentLengthBeforeBody() {
        let input = Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n".utf8)
        let events = parseEvents(input, maxBody: 1000)
        #expect(events.count == 1)
        #expect(firstError(events) == .payloadTooLarge(limit: 1000, declared: 2000))
    }

    @Test func payloadTooLargeWhileChunked() {
        var text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<20 { text += "64\r\n" + String(repeating: "a", count: 100) + "\r\n" }
        text += "0\r\n\r\n"
        let events = parseEvents(Array(text.utf8), maxBody: 1000)
        #expect(requests(events).isEmpty)
        #expect(firstError(events) == .payloadTooLarge(limit: 1000, declared: nil))
    }

    @Test func headerTooLarge() {
        let text = "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 5000) + "\r\n\r\n"
        let input = Array(text.utf8)
        for split in [0, 10, 100, 4000] {
            #expect(firstError(parseEvents(input, splits: [split], maxHeader: 4096)) == .headerTooLarge(limit: 4096))
        }
        // Without a terminator at all the limit still applies.
        let endless = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "z", count: 9000)).utf8)
        #expect(firstError(parseEvents(endless, maxHeader: 4096)) == .headerTooLarge(limit: 4096))
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\u{01}c\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n",
    ])
    func malformedInputIs400(_ text: String) {
        let error = firstError(parseEvents(Array(text.utf8)))
        #expect(error?.status == 400, "\(text.debugDescription) -> \(String(describing: error))")
    }

    @Test func unknownTransferEncodingIs501() {
        let error = firstError(parseEvents(Array("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n".utf8)))
        #expect(error?.status == 501)
    }

    @Test func identicalDuplicateContentLengthIsAccepted() {
        let reqs = requests(parseEvents(Array("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab".utf8)))
        #expect(reqs.first?.body == Array("ab".utf8))
    }

    @Test func otherMethodsAreKept() {
        let reqs = requests(parseEvents(Array("PROPFIND / HTTP/1.1\r\n\r\n".utf8)))
        #expect(reqs.first?.method == .other("PROPFIND"))
        #expect(HTTPMethod(rawValue: "DELETE") == .delete)
        #expect(HTTPMethod.patch.rawValue == "PATCH")
    }
}

@Suite("HTTP value types")
struct ValueTypeTests {
    @Test func headersAreOrderedAndCaseInsensitive() {
        var headers = HTTPHeaders([("A", "1"), ("b", "2")])
        headers.add("a", "3")
        #expect(headers["a"] == "1")
        #expect(headers.values("A") == ["1", "3"])
        headers.set("A", "9")
        #expect(headers.values("a") == ["9"])
        #expect(Array(headers).map(\.name) == ["b", "A"])
    }

    @Test func jsonErrorShape() {
        let response = HTTPResponse.jsonError(status: 413, code: "payload_too_large", message: "too \"big\"\n",
                                              requestID: "abc", extra: [("limit_bytes", "10")])
        #expect(response.status == 413)
        #expect(response.headers["content-type"] == "application/json")
        #expect(String(decoding: response.body, as: UTF8.self)
                == #"{"code":"payload_too_large","message":"too \"big\"\n","request_id":"abc","limit_bytes":10}"#)
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(HTTPDate.format(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")  // RFC 9110's example
        #expect(HTTPDate.format(epochSeconds: 951_825_599) == "Tue, 29 Feb 2000 11:59:59 GMT")  // 400-year leap day
        #expect(HTTPDate.format(epochSeconds: 4_107_542_400) == "Mon, 01 Mar 2100 00:00:00 GMT")  // 2100 is no leap year
        #expect(HTTPDate.format(epochSeconds: 1_795_305_600) == "Sun, 22 Nov 2026 00:00:00 GMT")
    }

    @Test func absoluteFormTargetsBecomeOriginForm() {
        #expect(HTTPRequestParser.originForm("/invocations?x=1") == "/invocations?x=1")
        #expect(HTTPRequestParser.originForm("http://host:8080/invocations?x=1") == "/invocations?x=1")
        #expect(HTTPRequestParser.originForm("HTTP://host") == "/")
        #expect(HTTPRequestParser.originForm("https://host?x=1") == "/?x=1")
        #expect(HTTPRequestParser.originForm("*") == "*")
        #expect(HTTPRequestParser.originForm("ftp://host/x") == "ftp://host/x")
    }

    @Test func requestIDsAreShortAndUnique() {
        let ids = (0..<1000).map { _ in RequestID.next() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.utf8.count == 16 })
    }

    @Test func encoderWritesLengthAndConnection() {
        let response = HTTPResponse(status: 200, headers: ["Content-Length": "999", "X-A": "b\r\nInjected: 1"], body: [1, 2, 3])
        let head = String(decoding: HTTPResponseEncoder.encodeHead(response, requestID: "id1", close: true, keepAlive10: false), as: UTF8.self)
        #expect(head == "HTTP/1.1 200 OK\r\nX-A: b  Injected: 1\r\nx-amzn-RequestId: id1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n")
        // With a Date line, the server's replaces any Date the responder set.
        let dated = HTTPResponse(status: 204, headers: ["Date": "yesterday"])
        let line = Array("Date: Sun, 22 Nov 2026 00:00:00 GMT\r\n".utf8)
        let datedHead = String(decoding: HTTPResponseEncoder.encodeHead(dated, requestID: "id2", close: false, keepAlive10: false, date: line), as: UTF8.self)
        #expect(datedHead == "HTTP/1.1 204 No Content\r\nDate: Sun, 22 Nov 2026 00:00:00 GMT\r\nx-amzn-RequestId: id2\r\n\r\n")
    }
}
