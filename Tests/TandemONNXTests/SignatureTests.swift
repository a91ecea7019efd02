import Foundation
import Testing
@testable import TandemONNX

/// The signature the server codes against, for representative zoo models.
@Suite("Model signature")
struct SignatureTests {
    func load(_ artifact: String) throws -> ONNXModel {
        try ONNXModel(contentsOf: Fixtures.zoo.appendingPathComponent("\(artifact)/model.onnx").path)
    }

    @Test func binaryLogisticRegression() throws {
        let m = try load("breast-cancer-logreg/v1")
        let s = m.signature
        #expect(s.inputs == [ModelSignature.Input(name: "input", elementType: .float, shape: [nil, 30], featureCount: 30)])
        #expect(s.task == .classification)
        #expect(s.classLabels == .int64([0, 1]))
        #expect(s.labelOutput == "label")
        #expect(s.scoresOutput == "probabilities")
        #expect(s.scoresAreProbabilities)
        #expect(s.valueOutput == nil)
        #expect(s.outputs.map(\.name) == ["label", "probabilities"])
        #expect(s.outputs[0].kind == .tensor(.int64))
        #expect(m.irVersion == 10)
        #expect(m.producerName == "skl2onnx")
        #expect(m.opsetImports == ["ai.onnx": 22, "ai.onnx.ml": 1])
    }

    @Test func zipMapWithStringLabels() throws {
        let s = try load("iris-logreg-zipmap/v1").signature
        #expect(s.classLabels == .string(["setosa", "versicolor", "virginica"]))
        #expect(s.labelOutput == "output_label")
        #expect(s.scoresOutput == "output_probability")
        #expect(s.scoresAreProbabilities)
        #expect(s.outputs[0].kind == .tensor(.string))
        #expect(s.outputs[1].kind == .mapSequence(key: .string))
    }

    @Test func zipMapWithIntLabels() throws {
        let s = try load("breast-cancer-logreg-zipmap/v1").signature
        #expect(s.classLabels == .int64([0, 1]))
        #expect(s.labelOutput == "output_label")
        #expect(s.scoresOutput == "output_probability")
        #expect(s.outputs[1].kind == .mapSequence(key: .int64))
    }

    @Test func mlpLabelLookup() throws {
        let s = try load("digits-mlp/v1").signature
        #expect(s.inputs.first?.featureCount == 64)
        #expect(s.classLabels == .int64(Array(0...9)))
        #expect(s.labelOutput == "label")
        #expect(s.scoresOutput == "probabilities")
        #expect(s.scoresAreProbabilities)
    }

    @Test func regressors() throws {
        for artifact in ["diabetes-ridge/v1", "diabetes-gbr/v1"] {
            let s = try load(artifact).signature
            #expect(s.task == .regression, "\(artifact)")
            #expect(s.valueOutput == "variable", "\(artifact)")
            #expect(s.labelOutput == nil && s.scoresOutput == nil && s.classLabels == nil, "\(artifact)")
        }
    }

    @Test func mixedColumns() throws {
        let s = try load("mixed-columns-logreg/v1").signature
        #expect(s.inputs.map(\.name) == ["num", "cat"])
        #expect(s.inputs.map(\.featureCount) == [4, 2])
        #expect(s.inputs.map(\.elementType) == [.float, .string])
        #expect(s.labelOutput == "label")
        #expect(s.scoresOutput == "probabilities")
    }

    @Test func treeClassifiers() throws {
        for artifact in ["breast-cancer-lightgbm/v1", "breast-cancer-xgboost/v1", "breast-cancer-random-forest/v1"] {
            let m = try load(artifact)
            let s = m.signature
            #expect(s.task == .classification, "\(artifact)")
            #expect(s.classLabels == .int64([0, 1]), "\(artifact)")
            #expect(s.labelOutput == "label", "\(artifact)")
            #expect(s.scoresOutput == "probabilities", "\(artifact)")
            #expect(s.scoresAreProbabilities, "\(artifact)")
        }
        let xgb = try load("breast-cancer-xgboost/v1")
        #expect(xgb.opsetImports == ["ai.onnx.ml": 1])
    }
}
