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

/// Signatures of graphs the zoo lacks, built in Swift with the generated protobuf types.
@Suite("Model signature, crafted graphs")
struct CraftedSignatureTests {
    static func attribute(_ name: String, floats: [Float] = [], ints: [Int64] = [], string: String? = nil, type: Int32) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = type
        a.floats = floats
        a.ints = ints
        if let string { a.s = Data(string.utf8) }
        return a
    }

    static func tensorInfo(_ name: String, _ elem: ElementType, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type.tensorType.elemType = elem.rawValue
        v.type.tensorType.shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        return v
    }

    /// skl2onnx's binary LinearSVC: LinearClassifier(NONE) then ArrayFeatureExtractor keeping column 1.
    @Test func binaryLinearSVCExport() throws {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = "ai.onnx.ml"
        ml.version = 1
        var def = Onnx_OperatorSetIdProto()
        def.version = 13
        m.opsetImport = [ml, def]
        var lc = Onnx_NodeProto()
        lc.opType = "LinearClassifier"
        lc.domain = "ai.onnx.ml"
        lc.input = ["input"]
        lc.output = ["label", "raw_scores"]
        lc.attribute = [
            Self.attribute("coefficients", floats: [-1, -2, 1, 2], type: 6),
            Self.attribute("intercepts", floats: [-0.5, 0.5], type: 6),
            Self.attribute("classlabels_ints", ints: [0, 1], type: 7),
            Self.attribute("post_transform", string: "NONE", type: 3),
        ]
        var afe = Onnx_NodeProto()
        afe.opType = "ArrayFeatureExtractor"
        afe.domain = "ai.onnx.ml"
        afe.input = ["raw_scores", "column"]
        afe.output = ["probabilities"]
        var column = Onnx_TensorProto()
        column.name = "column"
        column.dataType = ElementType.int64.rawValue
        column.dims = [1]
        column.int64Data = [1]
        m.graph.node = [lc, afe]
        m.graph.initializer = [column]
        m.graph.input = [Self.tensorInfo("input", .float, [nil, 2])]
        m.graph.output = [Self.tensorInfo("label", .int64, [nil]), Self.tensorInfo("probabilities", .float, [nil, 1])]
        let model = try ONNXModel(bytes: m.serializedBytes())
        let s = model.signature
        #expect(s.labelOutput == "label")
        #expect(s.scoresOutput == "probabilities")
        #expect(!s.scoresAreProbabilities)
        #expect(s.classLabels == .int64([0, 1]))
        let out = try model.run(["input": Tensor(shape: [2, 2], data: .float([1, 1, -1, 0]))])
        // decision = x·(1, 2) + 0.5: 3.5 and -0.5
        #expect(out["probabilities"] == .tensor(Tensor(shape: [2, 1], data: .float([3.5, -0.5]))))
        #expect(out["label"] == .tensor(Tensor(shape: [2], data: .int64([1, 0]))))
    }

    @Test func svmAndTreeEnsembleFixtures() throws {
        let dir = Fixtures.local.appendingPathComponent("ops")
        let svm = try ONNXModel(contentsOf: dir.appendingPathComponent("svm_classifier_rbf_proba.onnx").path).signature
        #expect(svm.classLabels == .int64([10, 11, 12]))
        #expect(svm.scoresAreProbabilities)
        #expect(svm.labelOutput == "label" && svm.scoresOutput == "scores")
        let te = try ONNXModel(contentsOf: dir.appendingPathComponent("tree_ensemble_v5_sum.onnx").path).signature
        #expect(te.task == .regression)
        #expect(te.valueOutput == "Y")
        let svr = try ONNXModel(contentsOf: dir.appendingPathComponent("svm_regressor_rbf.onnx").path).signature
        #expect(svr.valueOutput == "variable")
    }
}
