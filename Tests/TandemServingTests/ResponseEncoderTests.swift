import Foundation
import TandemONNX
import Testing

@testable import TandemServing

/// One output record per input record, in every format and rendering.
@Suite struct ResponseEncoderTests {
    let model = SyntheticModel(config: .init(features: 2, latency: .constant(.zero), mode: .sleep, errorRate: 0))

    func outputs(rows: [[Float]]) throws -> [String: Value] {
        let feeds = ["input": Tensor(shape: [rows.count, 2], data: .float(rows.flatMap { $0 }))]
        return try model.predict(feeds, rows: rows.count)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func json(_ bytes: [UInt8]) -> Any? { try? JSONSerialization.jsonObject(with: Data(bytes)) }

    @Test func jsonClassifierRecords() throws {
        let body = try ResponseEncoder.encode(
            try outputs(rows: [[5, 5], [-5, -5]]), signature: model.signature, rows: 2, format: .json)
        let root = json(body) as? [String: Any]
        let predictions = root?["predictions"] as? [[String: Any]]
        #expect(predictions?.count == 2)
        #expect(predictions?[0]["label"] as? Int == 1)
        #expect(predictions?[1]["label"] as? Int == 0)
        let probabilities = predictions?[0]["probabilities"] as? [Double]
        #expect(probabilities?.count == 2)
        #expect(abs((probabilities?[1] ?? 0) - 0.9933) < 0.001)
    }

    @Test func jsonLinesOneLinePerRecord() throws {
        let body = text(try ResponseEncoder.encode(
            try outputs(rows: [[1, 1], [2, 2], [-3, -3]]), signature: model.signature, rows: 3, format: .jsonLines))
        let lines = body.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(body.hasSuffix("\n"))
        for line in lines {
            let record = json(Array(line.utf8)) as? [String: Any]
            #expect(record?["label"] != nil)
        }
    }

    @Test func csvLabelThenScores() throws {
        let body = text(try ResponseEncoder.encode(
            try outputs(rows: [[5, 5], [-5, -5]]), signature: model.signature, rows: 2, format: .csv))
        let lines = body.split(separator: "\n").map { $0.split(separator: ",") }
        #expect(lines.count == 2)
        #expect(lines[0].count == 3)
        #expect(lines[0].first == "1")
        #expect(lines[1].first == "0")
    }

    @Test func renderingMapAndNone() throws {
        let out = try outputs(rows: [[1, 1]])
        let map = json(try ResponseEncoder.encode(out, signature: model.signature, rows: 1, format: .json,
            rendering: OutputRendering(scores: .map))) as? [String: Any]
        let record = (map?["predictions"] as? [[String: Any]])?.first
        let probabilities = record?["probabilities"] as? [String: Double]
        #expect(probabilities.map { Set($0.keys) } == ["0", "1"])
        let none = json(try ResponseEncoder.encode(out, signature: model.signature, rows: 1, format: .json,
            rendering: OutputRendering(scores: .none))) as? [String: Any]
        let bare = (none?["predictions"] as? [[String: Any]])?.first
        #expect(bare?["probabilities"] == nil)
        #expect(bare?["label"] as? Int == 1)
    }

    @Test func regressorValues() throws {
        let signature = ModelSignature(
            inputs: [.init(name: "x", elementType: .float, shape: [nil, 1], featureCount: 1)],
            outputs: [.init(name: "variable", kind: .tensor(.float), shape: [nil, 1])],
            task: .regression, classLabels: nil, labelOutput: nil, scoresOutput: nil, scoresAreProbabilities: false,
            valueOutput: "variable")
        let out: [String: Value] = ["variable": .tensor(Tensor(shape: [2, 1], data: .float([1.5, -2])))]
        let root = json(try ResponseEncoder.encode(out, signature: signature, rows: 2, format: .json)) as? [String: Any]
        let predictions = root?["predictions"] as? [[String: Any]]
        #expect(predictions?.count == 2)
        #expect(predictions?[0]["score"] as? Double == 1.5)
        #expect(predictions?[1]["score"] as? Double == -2)
        let csv = text(try ResponseEncoder.encode(out, signature: signature, rows: 2, format: .csv))
        #expect(csv == "1.5\n-2\n" || csv == "1.5\n-2.0\n")
    }

    @Test func rowCountMismatchIsAnError() throws {
        let out = try outputs(rows: [[1, 1]])
        #expect(throws: ModelRunError.self) {
            try ResponseEncoder.encode(out, signature: model.signature, rows: 3, format: .json)
        }
    }
}
