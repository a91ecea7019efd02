import Foundation
import Testing
import TandemONNX
@testable import TandemServing

@Suite("Model warm-up before traffic")
struct ModelWarmupTests {
    /// A regressor over two inputs whose behaviour on the warm-up row is chosen by the test.
    struct StubModel: InferenceModel {
        enum Behaviour: Sendable { case answer(rows: Int), answerText, refuseInput, crash }
        var behaviour: Behaviour
        var kind: String { "stub" }
        var signature: ModelSignature {
            ModelSignature(
                inputs: [
                    .init(name: "x", elementType: .float, shape: [nil, 3], featureCount: 3),
                    .init(name: "city", elementType: .string, shape: [nil, 1], featureCount: 1),
                ],
                outputs: [.init(name: "variable", kind: .tensor(.float), shape: [nil, 1])],
                task: .regression, classLabels: nil, labelOutput: nil, scoresOutput: nil, scoresAreProbabilities: false,
                valueOutput: "variable")
        }

        func predict(_ feeds: [String: Tensor], rows: Int) throws -> [String: Value] {
            switch behaviour {
            case .answer(let answered):
                return ["variable": .tensor(Tensor(shape: [answered, 1], data: .float(Array(repeating: 1, count: answered))))]
            case .answerText:
                return ["variable": .tensor(Tensor(shape: [1, 1], data: .string(["one"])))]
            case .refuseInput: throw ModelRunError(code: "model_rejected_input", message: "unknown city ''", isClientError: true)
            case .crash: throw ModelRunError(code: "model_error", message: "kernel exploded")
            }
        }
    }

    func directory(_ files: [String: String] = [:]) throws -> String {
        let path = NSTemporaryDirectory() + "tandem-warmup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func zeroRowMatchesTheDecodersShapes() {
        let feeds = ModelWarmup.zeroRow(StubModel(behaviour: .crash).signature.inputs)
        #expect(feeds["x"] == Tensor(shape: [1, 3], data: .float([0, 0, 0])))
        #expect(feeds["city"] == Tensor(shape: [1, 1], data: .string([""])))
    }

    @Test func withoutAFileOnlyInternalFailuresFailTheLoad() throws {
        let dir = try directory()
        try ModelWarmup.run(StubModel(behaviour: .answer(rows: 1)), directory: dir)
        try ModelWarmup.run(StubModel(behaviour: .refuseInput), directory: dir)
        let crash = #expect(throws: ConfigError.self) { try ModelWarmup.run(StubModel(behaviour: .crash), directory: dir) }
        #expect(crash?.description.contains("failed a warm-up run on one zero-valued row: kernel exploded") == true)
        let text = #expect(throws: ConfigError.self) { try ModelWarmup.run(StubModel(behaviour: .answerText), directory: dir) }
        #expect(text?.description.contains("unusable outputs: model output 'variable' holds string values") == true)
    }

    @Test func aWarmupFileMustRunCleanly() throws {
        let good = try directory(["warmup.jsonl": #"{"x": [1, 2, 3], "city": ["paris"]}"# + "\n"])
        try ModelWarmup.run(StubModel(behaviour: .answer(rows: 1)), directory: good)
        // Sample requests are known-good, so even the model refusing them fails the load.
        let refused = #expect(throws: ConfigError.self) { try ModelWarmup.run(StubModel(behaviour: .refuseInput), directory: good) }
        #expect(refused?.description.contains("warmup.jsonl: the warm-up request failed: unknown city") == true)
        let malformed = try directory(["warmup.csv": "1,2\n"])
        let error = #expect(throws: ConfigError.self) { try ModelWarmup.run(StubModel(behaviour: .answer(rows: 1)), directory: malformed) }
        #expect(error?.description.contains("warmup.csv: the warm-up request failed") == true)
    }
}
