import Foundation
import TandemHTTP
import TandemONNX
import TandemServing
import TandemTestSupport
import Testing

@testable import TandemServer

/// The Open Inference Protocol door in-process: paths, metadata from the ONNX signature, JSON and binary
/// tensors through the real breast-cancer model, the statistics and config documents, and every way a
/// malformed request is refused (a 4xx with `{"error": ...}`, never a crash).
@Suite("Open Inference Protocol")
struct OIPTests {
    static let endpoint = """
        endpoint: oip-test
        production_variants:
          - {name: control, model: breast-cancer-logreg, version: 1, weight: 1}
          - {name: challenger, model: breast-cancer-logreg, version: 2, weight: 1}
        """

    static func server() throws -> InProcessServerHandle {
        let fixture = try ModelRepositoryFixture()
        try fixture.copyBundledModel("breast-cancer-logreg")
        try fixture.writeEndpoint(endpoint)
        return InProcessServerHandle(try InProcessServer(source: .endpointFile(fixture.endpointFile)), fixture)
    }

    static let row: [Double] = Array(repeating: 0.25, count: 30)

    /// A JSON-tensor request of `rows` rows.
    static func jsonRequest(rows: Int = 2, extra: String = "") -> [UInt8] {
        let data = Array(repeating: row.map { String($0) }.joined(separator: ","), count: rows).joined(separator: ",")
        return Array("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[\(rows),30],\"data\":[\(data)]}]\(extra)}".utf8)
    }

    /// A binary-tensor request: JSON header, then `rows` x 30 little-endian floats; (body, header length).
    static func binaryRequest(rows: Int = 2, sizeOverride: Int? = nil, outputs: String = "") -> ([UInt8], Int) {
        var floats: [UInt8] = []
        for value in Array(repeating: row, count: rows).flatMap({ $0 }) {
            let bits = Float(value).bitPattern
            for i in 0..<4 { floats.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
        }
        let header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[\(rows),30],"
            + "\"parameters\":{\"binary_data_size\":\(sizeOverride ?? floats.count)}}],"
            + "\"parameters\":{\"binary_data_output\":true}\(outputs)}"
        return (Array(header.utf8) + floats, header.utf8.count)
    }

    @Test func pathsParse() {
        #expect(OIPPath(path: "/v2") == .serverMetadata)
        #expect(OIPPath(path: "/v2/") == .serverMetadata)
        #expect(OIPPath(path: "/v2/health/live") == .live)
        #expect(OIPPath(path: "/v2/health/ready") == .ready)
        #expect(OIPPath(path: "/v2/models/stats") == .allStats)
        #expect(OIPPath(path: "/v2/models/m") == .model(name: "m", version: nil, action: .metadata))
        #expect(OIPPath(path: "/v2/models/m/versions/3/infer") == .model(name: "m", version: "3", action: .infer))
        #expect(OIPPath(path: "/v2/models/m/ready") == .model(name: "m", version: nil, action: .ready))
        #expect(OIPPath(path: "/v2/models/m/versions/2/stats") == .model(name: "m", version: "2", action: .stats))
        #expect(OIPPath(path: "/v2/models/a%20b/config") == .model(name: "a b", version: nil, action: .config))
        #expect(OIPPath(path: "/v2/repository/index") == .repositoryIndex)
        #expect(OIPPath(path: "/v2/repository/models/m/load") == .repository(name: "m", action: .load))
        #expect(OIPPath(path: "/v2/repository/models/m/unload") == .repository(name: "m", action: .unload))
        for bad in ["/v2/models", "/v2/models//infer", "/v2/models/m/versions//infer", "/v2/models/m/predict",
                    "/v2/models/m/versions/1/infer/x", "/v2/health", "/v2/repository/models/m/delete", "/v2x"] {
            #expect(OIPPath(path: bad) == .unknown, "\(bad)")
        }
        #expect(!OIPPath.matches("/v2x"))
    }

    @Test func healthAndMetadata() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let server = handle.server
        #expect(await server.send(.get, "/v2/health/live").status == 200)
        #expect(await server.send(.get, "/v2/health/ready").status == 200)
        let meta = jsonObject(await server.send(.get, "/v2"))
        #expect(meta["name"] as? String == "tandem")
        #expect((meta["extensions"] as? [String])?.contains("binary_tensor_data") == true)

        let model = jsonObject(await server.send(.get, "/v2/models/oip-test"))
        #expect(model["versions"] as? [String] == ["1"])
        #expect(model["platform"] as? String == "onnxruntime_onnx")
        let inputs = model["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.first?["name"] as? String == "input")
        #expect(inputs.first?["datatype"] as? String == "FP32")
        #expect(inputs.first?["shape"] as? [Int] == [-1, 30])
        let outputs = (model["outputs"] as? [[String: Any]] ?? []).map { $0["datatype"] as? String }
        #expect(outputs == ["INT64", "FP32"])

        let versioned = jsonObject(await server.send(.get, "/v2/models/breast-cancer-logreg"))
        #expect(versioned["versions"] as? [String] == ["1", "2"])
        #expect(await server.send(.get, "/v2/models/breast-cancer-logreg/versions/2/ready").status == 200)

        let config = jsonObject(await server.send(.get, "/v2/models/oip-test/config"))
        #expect(config["max_batch_size"] as? Int == OIPDocuments.announcedMaxBatch)
        #expect((config["input"] as? [[String: Any]])?.first?["dims"] as? [Int] == [30])
        #expect((config["input"] as? [[String: Any]])?.first?["data_type"] as? String == "TYPE_FP32")
    }

    @Test func jsonTensorsToAVersion() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let response = await handle.server.send(
            .post, "/v2/models/breast-cancer-logreg/versions/2/infer", body: Self.jsonRequest(rows: 2, extra: ",\"id\":\"abc\""))
        #expect(response.status == 200, "\(text(response))")
        #expect(response.headers["X-Amzn-Invoked-Production-Variant"] == "challenger")
        #expect(response.headers["Inference-Header-Content-Length"] == nil)
        let body = jsonObject(response)
        #expect(body["model_name"] as? String == "breast-cancer-logreg")
        #expect(body["model_version"] as? String == "2")
        #expect(body["id"] as? String == "abc")
        #expect((body["parameters"] as? [String: Any])?["variant"] as? String == "challenger")
        #expect((body["parameters"] as? [String: Any])?["routing"] as? String == "target")
        let outputs = body["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.map { $0["name"] as? String } == ["label", "probabilities"])
        #expect(outputs.first?["shape"] as? [Int] == [2])
        #expect((outputs.last?["data"] as? [Double])?.count == 4)
        #expect(outputs.last?["shape"] as? [Int] == [2, 2])
    }

    @Test func binaryTensorsBothWays() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let (body, headerLength) = Self.binaryRequest(rows: 3, outputs: ",\"outputs\":[{\"name\":\"probabilities\"}]")
        let response = await handle.server.send(
            .post, "/v2/models/oip-test/infer", headers: ["Inference-Header-Content-Length": "\(headerLength)"], body: body)
        #expect(response.status == 200, "\(text(response))")
        let variant = try #require(response.headers["X-Amzn-Invoked-Production-Variant"])
        #expect(["control", "challenger"].contains(variant))
        let jsonLength = try #require(response.headers["Inference-Header-Content-Length"].flatMap { Int($0) })
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(response.body[0..<jsonLength])) as? [String: Any])
        #expect((header["parameters"] as? [String: Any])?["variant"] as? String == variant)
        #expect(header["model_version"] as? String == "1")
        let outputs = header["outputs"] as? [[String: Any]] ?? []
        #expect(outputs.count == 1)
        let size = (outputs.first?["parameters"] as? [String: Any])?["binary_data_size"] as? Int
        #expect(size == 3 * 2 * 4)
        #expect(response.body.count == jsonLength + 24)
        // Each row's two probabilities sum to 1.
        let raw = Array(response.body[jsonLength...])
        let floats = stride(from: 0, to: raw.count, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
        for r in 0..<3 { #expect(abs(floats[2 * r] + floats[2 * r + 1] - 1) < 1e-5) }
    }

    @Test func statisticsCountRequests() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        for _ in 0..<3 {
            _ = await handle.server.send(.post, "/v2/models/breast-cancer-logreg/versions/1/infer", body: Self.jsonRequest())
        }
        let all = jsonObject(await handle.server.send(.get, "/v2/models/breast-cancer-logreg/stats"))
        let stats = all["model_stats"] as? [[String: Any]] ?? []
        #expect(stats.map { $0["version"] as? String } == ["1", "2"])
        let v1 = try #require(stats.first)
        let inference = v1["inference_stats"] as? [String: Any] ?? [:]
        #expect((inference["success"] as? [String: Any])?["count"] as? Int == 3)
        #expect(((inference["success"] as? [String: Any])?["ns"] as? Int ?? 0) > 0)
        #expect((inference["queue"] as? [String: Any])?["count"] as? Int == 3)
        // A worker's time split as Triton splits it: decoding, the model, encoding, each counted and timed.
        for part in ["compute_input", "compute_infer", "compute_output"] {
            #expect((inference[part] as? [String: Any])?["count"] as? Int == 3, "\(part)")
            #expect(((inference[part] as? [String: Any])?["ns"] as? Int ?? 0) > 0, "\(part)")
        }
        let endpoint = jsonObject(await handle.server.send(.get, "/v2/models/oip-test/stats"))
        let entry = (endpoint["model_stats"] as? [[String: Any]])?.first
        #expect(entry?["version"] as? String == "1")
        #expect(entry?["execution_count"] as? Int == 3)
    }

    /// (description, target, headers, body, status, words the message must hold)
    static let refusals: [(String, String, HTTPHeaders, [UInt8], Int, [String])] = {
        let (binary, length) = binaryRequest(rows: 1)
        let (short, shortLength) = binaryRequest(rows: 1, sizeOverride: 100)
        let (long, longLength) = binaryRequest(rows: 1, sizeOverride: 200)
        let infer = "/v2/models/oip-test/infer"
        func json(_ text: String) -> [UInt8] { Array(text.utf8) }
        return [
            ("unknown model", "/v2/models/nope/infer", [:], jsonRequest(), 404, ["nope", "oip-test"]),
            ("unknown version", "/v2/models/breast-cancer-logreg/versions/7/infer", [:], jsonRequest(), 404, ["7", "1, 2"]),
            ("endpoint version", "/v2/models/oip-test/versions/2", [:], [], 404, ["only version is 1"]),
            ("wrong datatype", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP64\",\"shape\":[1,30],\"data\":\(row)}]}"),
             400, ["FP64", "FP32"]),
            ("unsupported datatype", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP16\",\"shape\":[1,30],\"data\":\(row)}]}"),
             400, ["FP16", "BYTES"]),
            ("wrong shape", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,29],\"data\":[1]}]}"),
             400, ["[1, 29]", "[-1,30]"]),
            ("element count", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,30],\"data\":\(row)}]}"),
             400, ["60 elements", "30"]),
            ("not a number", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":[\"x\"\(String(repeating: ",1", count: 29))]}]}"),
             400, ["element 0"]),
            ("unknown input", infer, [:], json("{\"inputs\":[{\"name\":\"other\",\"datatype\":\"FP32\",\"shape\":[1,30],\"data\":\(row)}]}"),
             400, ["other", "input"]),
            ("unknown output", infer, [:], jsonRequest(extra: ",\"outputs\":[{\"name\":\"nope\"}]"), 400, ["nope", "probabilities"]),
            ("malformed JSON", infer, [:], json("{\"inputs\": [}"), 400, ["not JSON"]),
            ("no inputs", infer, [:], json("{\"inputs\": []}"), 400, ["inputs"]),
            ("negative dim", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,30],\"data\":[]}]}"),
             400, ["shape"]),
            ("huge shape", infer, [:], json("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[4611686018427387904,30],\"data\":[1]}]}"),
             400, ["too large"]),
            ("header longer than body", infer, ["Inference-Header-Content-Length": "\(binary.count + 1)"], binary, 400, ["\(binary.count)"]),
            ("header length not a number", infer, ["Inference-Header-Content-Length": "12x"], binary, 400, ["12x"]),
            ("binary sizes short of the body", infer, ["Inference-Header-Content-Length": "\(shortLength)"], short, 400, ["120", "100"]),
            ("binary size past the body", infer, ["Inference-Header-Content-Length": "\(longLength)"], long, 400, ["200", "120"]),
            ("binary without header", infer, [:], binary, 400, ["not JSON"]),
            ("header cut short", infer, ["Inference-Header-Content-Length": "\(length - 1)"], binary, 400, ["not JSON"]),
            ("unknown compression", infer, ["Content-Encoding": "br"], jsonRequest(), 415, ["br", "gzip"]),
            ("gzip that is not gzip", infer, ["Content-Encoding": "gzip"], jsonRequest(), 400, ["not valid gzip"]),
            ("deflate that is not zlib", infer, ["Content-Encoding": "deflate"], jsonRequest(), 400, ["not valid deflate"]),
        ]
    }()

    @Test func malformedRequestsGetClearErrors() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        for (what, target, headers, body, status, words) in Self.refusals {
            let response = await handle.server.send(target.hasSuffix("infer") ? .post : .get, target, headers: headers, body: body)
            #expect(response.status == status, "\(what): \(text(response))")
            let message = jsonObject(response)["error"] as? String ?? ""
            #expect(!message.isEmpty, "\(what): \(text(response))")
            for word in words { #expect(message.contains(word), "\(what): '\(word)' not in \(message)") }
        }
        #expect(await handle.server.send(.get, "/v2/models/oip-test/infer").status == 405)
        #expect(await handle.server.send(.get, "/v2/nothing").status == 404)
        #expect(await handle.server.send(.post, "/v2/repository/index").status == 403)  // no admin token configured
    }

    @Test func bytesTensorsAreBoundsChecked() throws {
        let signature = ModelSignatureFixture.strings
        func request(_ binary: [UInt8], shape: Int) -> [UInt8] {
            let header = "{\"inputs\":[{\"name\":\"text\",\"datatype\":\"BYTES\",\"shape\":[\(shape),1],"
                + "\"parameters\":{\"binary_data_size\":\(binary.count)}}]}"
            return Array(header.utf8) + binary
        }
        func decode(_ binary: [UInt8], shape: Int) throws(InvocationFailure) -> DecodedRequest {
            let body = request(binary, shape: shape)
            let headerLength = body.count - binary.count
            return try OIPInferCodec(headerLength: "\(headerLength)", requestID: "r", compression: nil, maxInflatedBytes: 1 << 20).decode(body, for: signature)
        }
        let good: [UInt8] = [2, 0, 0, 0, 0x68, 0x69, 0, 0, 0, 0]
        let decoded = try decode(good, shape: 2)
        #expect(decoded.feeds["text"]?.data == .string(["hi", ""]))
        #expect(decoded.rows == 2)
        for (bad, shape) in [
            ([255, 255, 255, 127, 0x68] as [UInt8], 1),  // length far past the data
            ([2, 0, 0] as [UInt8], 1),  // cut-off prefix
            (good, 1),  // more elements than the shape
            (good, 3),  // fewer
            ([2, 0, 0, 0, 0xff, 0xfe] as [UInt8], 1),  // not UTF-8
        ] {
            #expect(throws: InvocationFailure.self) { try decode(bad, shape: shape) }
        }
    }

    @Test func everyTruncationIsRefusedNotCrashed() async throws {
        let handle = try Self.server()
        defer { handle.shutdown() }
        let (body, headerLength) = Self.binaryRequest(rows: 1)
        for cut in stride(from: 0, to: body.count, by: 7) {
            let response = await handle.server.send(
                .post, "/v2/models/oip-test/infer", headers: ["Inference-Header-Content-Length": "\(headerLength)"],
                body: Array(body[0..<cut]))
            #expect(response.status == 400, "cut at \(cut): \(text(response))")
        }
    }

    @Test func everyDatatypeRoundTrips() throws {
        let request = try OIPInferRequest(body: Array("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT8\",\"shape\":[1],\"data\":[1]}]}".utf8), headerLength: nil)
        let cases: [TensorData] = [
            .float([1.5, -2]), .double([0.1, 1e300]), .int64([Int64.min, 7]), .int32([-5, Int32.max]), .int8([-128, 127]),
            .uint8([0, 255]), .bool([true, false]), .string(["ä", ""]),
        ]
        for data in cases {
            var bytes: [UInt8] = []
            OIPTensorWriter.appendBytes(data, to: &bytes)
            let declared = ModelSignature.Input(name: "x", elementType: data.elementType, shape: [nil], featureCount: nil)
            let input = OIPInferRequest.Input(
                name: "x", datatype: OIPDataType.name(data.elementType), shape: [2], elements: .binary(0..<bytes.count))
            #expect(try OIPTensorReader.tensor(input, body: bytes, for: declared).data == data)
        }
        #expect(request.inputs.count == 1)
    }
}

/// Signatures for codec tests that need no model file.
enum ModelSignatureFixture {
    static let strings = ModelSignature(
        inputs: [.init(name: "text", elementType: .string, shape: [nil, 1], featureCount: 1)],
        outputs: [.init(name: "label", kind: .tensor(.string), shape: [nil])],
        task: .classification, classLabels: nil, labelOutput: "label", scoresOutput: nil, scoresAreProbabilities: false,
        valueOutput: nil)
}
