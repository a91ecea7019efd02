import TandemONNX
import Testing

@testable import TandemServing

/// Every accepted body form decodes to the same tensors; errors name the row and column.
@Suite struct RequestDecoderTests {
    let inputs = [ModelSignature.Input(name: "input", elementType: .float, shape: [nil, 3], featureCount: 3)]

    func decode(_ body: String, _ format: PayloadFormat) throws(PayloadError) -> DecodedRequest {
        try RequestDecoder.decode(Array(body.utf8), format: format, inputs: inputs)
    }

    func floats(_ decoded: DecodedRequest) -> [Float] {
        guard case .float(let values)? = decoded.feeds["input"]?.data else { return [] }
        return values
    }

    func failure(_ body: String, _ format: PayloadFormat) -> PayloadError? {
        #expect(throws: PayloadError.self) { try decode(body, format) }
    }

    @Test func csvRows() throws {
        let decoded = try decode("1,2,3\n4,5,6\n", .csv)
        #expect(decoded.rows == 2)
        #expect(decoded.feeds["input"]?.shape == [2, 3])
        #expect(floats(decoded) == [1, 2, 3, 4, 5, 6])
        #expect(floats(try decode("1, 2 ,3\r\n4,5,6", .csv)) == [1, 2, 3, 4, 5, 6])
    }

    /// A record whose cells are not all plain numbers leaves the whole-record fast path without duplicating or
    /// losing the values already parsed, in CSV and JSON, and later records still take it.
    @Test func mixedRecordsKeepEveryValueOnce() throws {
        let csv = floats(try decode("1,2,3\n4,,6\n7,8,nan\n1e-3,123456789012345678901234,0.1\n", .csv))
        #expect(csv.count == 12)
        #expect(Array(csv[0..<4]) == [1, 2, 3, 4] && csv[4].isNaN && Array(csv[5..<7]) == [6, 7] && csv[8].isNaN)
        #expect(Array(csv[9...]) == [Float("1e-3"), Float("123456789012345678901234"), Float("0.1")])
        let json = floats(try decode("[[1,2,3],[4,null,6],[7,8,9]]", .json))
        #expect(json.count == 9 && json[4].isNaN && Array(json[5...]) == [6, 7, 8, 9])
        #expect(failure("[[1,2,3],[4,1e39,6]]", .json)?.column == 2)
        #expect(failure("1,2,3\n4,5,1e39\n", .csv)?.column == 3)
        #expect(failure("1,2,3\n4,x,6\n", .csv)?.row == 2)
    }

    @Test func csvEmptyCellIsMissingValue() throws {
        let values = floats(try decode("1,,3", .csv))
        #expect(values.count == 3)
        #expect(values[1].isNaN)
    }

    /// The strict grammar (StrictNumber): hex floats, infinity, trailing bytes (a NUL) and out-of-range numbers
    /// used to be accepted by strtof; they are 400 `bad_cell` naming the cell.
    @Test func csvCellsFollowTheStrictGrammar() throws {
        #expect(floats(try decode("+1.5,-.5,2.", .csv)) == [1.5, -0.5, 2])
        #expect(floats(try decode("1e3,1E-2,-0", .csv)) == [1000, 0.01, 0])
        #expect(floats(try decode("1e-60,2,3", .csv))[0] == 0)  // underflow rounds to zero
        let missing = floats(try decode("nan,NaN,NAN", .csv))
        #expect(missing.count == 3 && missing.allSatisfy(\.isNaN))
        for cell in ["0x1p3", "inf", "-Infinity", "1e400", "1e39", "1\u{0}", "1\u{0}5", "5e", "e5", ".", "+", "1_000",
                     "--1", "1.2.3", "0x10", "١"] {
            let body = "\(cell),2,3"
            let error = failure(body, .csv)
            #expect(error?.code == "bad_cell", "\(cell.debugDescription) -> \(String(describing: error))")
            #expect(error?.row == 1 && error?.column == 1)
        }
        #expect(failure("1e39,2,3", .csv)?.message.contains("out of range") == true)
    }

    @Test func jsonNumbersMustBeFinite() {
        #expect(failure("[[1e400, 2, 3]]", .json) != nil)
        let error = failure("[[1e39, 2, 3]]", .json)
        #expect(error?.code == "bad_cell" && error?.message.contains("out of range") == true)
    }

    @Test func jsonForms() throws {
        let forms = [
            "{\"instances\": [[1,2,3],[4,5,6]]}",
            "[[1,2,3],[4,5,6]]",
            "{\"instances\": [{\"features\": [1,2,3]}, {\"features\": [4,5,6]}]}",
            "{\"instances\": [{\"input\": [1,2,3]}, {\"input\": [4,5,6]}]}",
            "{\"instances\": [{\"data\": {\"features\": {\"values\": [1,2,3]}}}, [4,5,6]]}",
        ]
        for form in forms {
            let decoded = try decode(form, .json)
            #expect(decoded.rows == 2, "\(form)")
            #expect(floats(decoded) == [1, 2, 3, 4, 5, 6], "\(form)")
        }
        for single in ["[1,2,3]", "{\"features\": [1,2,3]}", "{\"input\": [1,2,3]}"] {
            let decoded = try decode(single, .json)
            #expect(decoded.rows == 1, "\(single)")
            #expect(floats(decoded) == [1, 2, 3], "\(single)")
        }
    }

    @Test func jsonNullIsMissingValue() throws {
        let values = floats(try decode("[1,null,3]", .json))
        #expect(values[1].isNaN)
    }

    @Test func jsonLinesForms() throws {
        let decoded = try decode("[1,2,3]\n{\"features\":[4,5,6]}\n\n", .jsonLines)
        #expect(decoded.rows == 2)
        #expect(floats(decoded) == [1, 2, 3, 4, 5, 6])
    }

    @Test func emptyBody() {
        for format in PayloadFormat.allCases {
            #expect(failure("  \n", format)?.code == "empty_body")
        }
        #expect(failure("{\"instances\": []}", .json)?.code == "empty_body")
    }

    @Test func badCellNamesRowAndColumn() {
        let csv = failure("1,2,3\n4,x,6\n", .csv)
        #expect(csv?.status == 400)
        #expect(csv?.code == "bad_cell")
        #expect(csv?.row == 2)
        #expect(csv?.column == 2)
        #expect(csv?.got == "x")
        #expect(csv?.message.contains("row 2, column 2") == true)
        let json = failure("{\"instances\": [[1,2,3],[4,5,\"six\"]]}", .json)
        #expect(json?.code == "bad_cell")
        #expect(json?.row == 2)
        #expect(json?.column == 3)
        let lines = failure("[1,2,3]\n[true,2,3]", .jsonLines)
        #expect(lines?.row == 2)
        #expect(lines?.column == 1)
    }

    @Test func wrongFeatureCount() {
        let error = failure("1,2,3\n1,2\n", .csv)
        #expect(error?.code == "wrong_feature_count")
        #expect(error?.row == 2)
        #expect(error?.message.contains("3 values") == true)
        #expect(failure("[[1,2,3,4]]", .json)?.code == "wrong_feature_count")
    }

    @Test func malformedJSON() {
        #expect(failure("{\"instances\": [[1,2,3]", .json)?.code == "malformed_json")
        let line = failure("[1,2,3]\n[1,2,\n", .jsonLines)
        #expect(line?.code == "malformed_json")
        #expect(line?.row == 2)
        #expect(failure("{\"instances\": 3}", .json)?.code == "bad_instances")
        #expect(failure("\"text\"", .json)?.code == "bad_instances")
    }

    @Test func keyedInputErrors() {
        let unknown = failure("{\"other\": [1,2,3]}", .json)
        #expect(unknown?.code == "unknown_input")
        #expect(unknown?.got == "other")
        let inputs = [
            ModelSignature.Input(name: "num", elementType: .float, shape: [nil, 2], featureCount: 2),
            ModelSignature.Input(name: "cat", elementType: .string, shape: [nil, 1], featureCount: 1),
        ]
        let missing = #expect(throws: PayloadError.self) {
            try RequestDecoder.decode(Array("{\"num\": [1, 2]}".utf8), format: .json, inputs: inputs)
        }
        #expect(missing?.code == "missing_input")
        #expect(missing?.expected == "cat")
    }

    @Test func multipleInputsFromFlatRecords() throws {
        let inputs = [
            ModelSignature.Input(name: "num", elementType: .float, shape: [nil, 2], featureCount: 2),
            ModelSignature.Input(name: "cat", elementType: .string, shape: [nil, 1], featureCount: 1),
        ]
        let decoded = try RequestDecoder.decode(Array("1.5,2,red\n3,4,blue\n".utf8), format: .csv, inputs: inputs)
        #expect(decoded.rows == 2)
        #expect(decoded.feeds["num"]?.data == .float([1.5, 2, 3, 4]))
        #expect(decoded.feeds["cat"]?.data == .string(["red", "blue"]))
        let keyed = try RequestDecoder.decode(
            Array("{\"instances\": [{\"num\": [1.5, 2], \"cat\": \"red\"}]}".utf8), format: .json, inputs: inputs)
        #expect(keyed.feeds["cat"]?.data == .string(["red"]))
        let bad = #expect(throws: PayloadError.self) {
            try RequestDecoder.decode(Array("1,x,red".utf8), format: .csv, inputs: inputs)
        }
        #expect(bad?.row == 1)
        #expect(bad?.column == 2)
        #expect(bad?.message.contains("input 'num'") == true)
    }
}

/// CRLF line endings (spreadsheet exports) split records like LF.
@Suite struct CSVLineEndingTests {
    @Test func crlfRecords() throws {
        let inputs = [ModelSignature.Input(name: "input", elementType: .float, shape: [nil, 2], featureCount: 2)]
        let decoded = try RequestDecoder.decode(Array("1,2\r\n3,4\r\n".utf8), format: .csv, inputs: inputs)
        #expect(decoded.rows == 2)
        #expect(decoded.feeds["input"]?.data == .float([1, 2, 3, 4]))
        let mixed = try RequestDecoder.decode(Array("1,2\n3,4\r\n5,6".utf8), format: .csv, inputs: inputs)
        #expect(mixed.rows == 3)
        let error = #expect(throws: PayloadError.self) {
            try RequestDecoder.decode(Array("1,2\r\n3,x\r\n".utf8), format: .csv, inputs: inputs)
        }
        #expect(error?.row == 2)
        #expect(error?.column == 2)
    }
}
