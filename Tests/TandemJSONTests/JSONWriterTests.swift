import Testing

import TandemJSON

@Suite struct JSONWriterTests {
    private func text(_ w: JSONWriter) -> String { String(decoding: w.bytes, as: UTF8.self) }

    @Test func nestingPlacesTheCommas() {
        var w = JSONWriter()
        w.beginObject()
        w.member("a", int: 1)
        w.key("list")
        w.beginArray()
        w.beginObject()
        w.member("x", double: 0.5)
        w.endObject()
        w.beginObject()
        w.endObject()
        w.beginObject()
        w.member("y", int: 1)
        w.member("z", int: 2)
        w.endObject()
        w.beginArray()
        w.endArray()
        w.beginArray()
        w.number(1)
        w.number(2)
        w.endArray()
        w.number(2)
        w.endArray()
        w.member("s", strings: ["p", "q"])
        w.member("d", doubles: [])
        w.member("n", double: nil)
        w.member("b", bool: false)
        w.member("raw", fragment: "{\"k\":[1]}")
        w.endObject()
        #expect(text(w) == #"{"a":1,"list":[{"x":0.5},{},{"y":1,"z":2},[],[1,2],2],"s":["p","q"],"d":[],"n":null,"b":false,"raw":{"k":[1]}}"#)
    }

    @Test func numbersUseTheShortestFormAndNullForNonFinite() {
        var w = JSONWriter()
        w.beginArray()
        w.number(Float(0.1))
        w.number(0.1)
        w.number(Float.nan)
        w.number(-Double.infinity)
        w.number(Float(1e-5))
        w.number(Float(3))
        w.number(Int64.min)
        w.number(UInt64.max)
        w.number(Int?.none)
        w.endArray()
        #expect(text(w) == "[0.1,0.1,null,null,1e-05,3.0,-9223372036854775808,18446744073709551615,null]")
    }

    @Test func stringsAreEscaped() {
        #expect(JSONWriter.quoted("a\"b\\c\n\r\t\u{1}\u{1F} é ✓") == #""a\"b\\c\n\r\t\u0001\u001f é ✓""#)
        var w = JSONWriter()
        w.beginObject()
        w.key("k\"")
        w.string("v")
        w.endObject()
        #expect(text(w) == #"{"k\"":"v"}"#)
    }

    @Test func jsonLinesRestartTheCommaState() {
        var w = JSONWriter()
        w.beginObject(); w.member("a", int: 1); w.endObject(); w.newline()
        w.beginObject(); w.member("a", int: 2); w.endObject(); w.newline()
        #expect(text(w) == "{\"a\":1}\n{\"a\":2}\n")
    }

    @Test func errorBodyShape() {
        let body = ErrorBody.json(
            code: "bad_cell", message: "row 1: \"x\"", requestID: "r-1", extra: [("row", "1"), ("variant", "\"a\"")])
        #expect(String(decoding: body, as: UTF8.self) == #"{"code":"bad_cell","message":"row 1: \"x\"","request_id":"r-1","row":1,"variant":"a"}"#)
        #expect(ErrorBody.quoted("q\"") == #""q\"""#)
    }
}

@Suite struct JSONParserTests {
    private func parse(_ text: String, maxBytes: Int? = nil) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxBytes: maxBytes)
    }

    @Test func parsesDocuments() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d\u00e9\n"}, "a": 0} "#)
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"] == .string("dé\n"))
        #expect(value.objectMembers?.count == 3)
        #expect(try parse("\"\\ud83d\\ude00\"") == .string("😀"))
        #expect(try parse("0.1") == .number(0.1))
        #expect(try parse("[]") == .array([]))
    }

    @Test func reportsTheByteOfTheFirstError() {
        let cases: [(String, String)] = [
            ("[1,]", "malformed JSON at byte 3: unexpected character ']'"),
            ("{\"a\" 1}", "malformed JSON at byte 5: expected ':' after a member name"),
            ("01", "malformed JSON at byte 1: unexpected text after the JSON value"),
            ("1.", "malformed JSON at byte 2: invalid number: no digits after '.'"),
            ("1e", "malformed JSON at byte 2: invalid number: no digits in the exponent"),
            ("1e400", "malformed JSON at byte 5: number '1e400' is out of range for a double"),
            ("\"a", "malformed JSON at byte 2: unterminated string"),
            ("tru", "malformed JSON at byte 3: unexpected end of input"),
            ("", "malformed JSON at byte 0: unexpected end of input"),
        ]
        for (text, message) in cases {
            #expect(throws: JSONParseError.self) { try parse(text) }
            do {
                _ = try parse(text)
            } catch {
                #expect(error.message == message, "\(text)")
            }
        }
    }

    @Test func enforcesTheLimits() {
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect((try? parse(ok)) != nil)
        #expect(throws: JSONParseError.self) { try parse("[1,2,3]", maxBytes: 4) }
        #expect((try? parse("[1,2,3]", maxBytes: 7)) != nil)
    }
}
