import Testing
@testable import TandemHTTP

/// The safe byte helpers that replaced the unsafe-pointer ones must give byte-identical results.
@Suite("Span byte helpers")
struct ByteHelperTests {
    @Test(arguments: [
        [UInt8](), Array("plain ascii".utf8), Array("grüße €".utf8),
        [0x61, 0xFF, 0x62], [0xC3], [0xE2, 0x82], [0x80, 0x80, 0x41], [0xF0, 0x9F, 0x98, 0x80, 0xF0],
    ])
    func stringMatchesStringDecoding(_ bytes: [UInt8]) {
        let converted = ASCII.string(bytes.span)  // outside #expect: its macro cannot capture a Span
        #expect(converted == String(decoding: bytes, as: UTF8.self))
    }

    @Test func appendCopyingKeepsExistingBytes() {
        var array: [UInt8] = [1, 2]
        let source: [UInt8] = Array(0..<200).map { UInt8($0) }
        array.append(copying: source.span.extracting(10..<20))
        array.append(copying: source.span.extracting(0..<0))
        #expect(array == [1, 2] + Array(source[10..<20]))
        #expect([UInt8](copying: source.span) == source)
    }

    @Test func hexAndDecimal() {
        #expect(ASCII.hex16(0) == "0000000000000000")
        #expect(ASCII.hex16(0x0123_4567_89AB_CDEF) == "0123456789abcdef")
        #expect(ASCII.hex16(.max) == "ffffffffffffffff")
        for value in [0, 7, 9, 10, 99, 100, 65_536, 1_000_000_007, Int.max] {
            var output: [UInt8] = [0x7C]
            ASCII.appendDecimal(value, to: &output)
            #expect(output == Array("|\(value)".utf8))
        }
    }

    @Test func caseInsensitiveComparisons() {
        // Evaluated outside #expect: its macro cannot capture a Span.
        let matches = ["CoNNection", "connectio", "connectioN!", "CONNECTION"].map { text in
            let bytes = Array(text.utf8)
            return ASCII.equalsIgnoringCase(bytes.span, "connection")
        }
        #expect(matches == [true, false, false, true])
        #expect(ASCII.equalsIgnoringCase("Content-LENGTH", "content-length"))
        #expect(!ASCII.equalsIgnoringCase("content-lengthx", "content-length"))
        #expect(!ASCII.equalsIgnoringCase("ä", "Ä"))
    }

    @Test func nonUTF8HeaderBytesAreRepairedLikeBefore() {
        let head: [UInt8] = Array("GET /a\u{7E} HTTP/1.1\r\nX-Raw: a".utf8) + [0xFF, 0xFE] + Array("b\r\n\r\n".utf8)
        var parser = HTTPRequestParser(limits: .init(maxHeaderBytes: 1024, maxBodyBytes: 1024))
        let (event, used) = parser.parse(head.span)
        #expect(used == head.count)
        guard case .request(let request) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        #expect(request.headers["x-raw"] == String(decoding: [0x61, 0xFF, 0xFE, 0x62], as: UTF8.self))
    }
}
