import Foundation
import SwiftProtobuf
import Testing
@testable import TandemONNX

/// Bad feeds fail one call with a specific `ONNXRunError`; numeric feeds are cast.
@Suite("Run errors and feed conversion")
struct RunErrorTests {
    let model: ONNXModel
    init() throws {
        model = try ONNXModel(contentsOf: Fixtures.zoo.appendingPathComponent("breast-cancer-logreg/v1/model.onnx").path)
    }

    func runError(_ m: ONNXModel, _ feeds: [String: Tensor]) -> ONNXRunError? {
        do {
            _ = try m.run(feeds)
            return nil
        } catch let e as ONNXRunError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func missingInput() {
        let e = runError(model, [:])
        #expect(e?.kind == .missingInput)
        #expect(e?.description == "ONNX run error for input 'input': input is required but was not fed")
    }

    @Test func unknownInput() {
        let x = Tensor(shape: [1, 30], data: .float(Array(repeating: 0, count: 30)))
        let e = runError(model, ["input": x, "extra": x])
        #expect(e?.kind == .unknownInput)
        #expect(e?.input == "extra")
    }

    @Test func wrongShape() {
        let e = runError(model, ["input": Tensor(shape: [2, 29], data: .float(Array(repeating: 0, count: 58)))])
        #expect(e?.kind == .wrongShape)
        #expect(e?.description.contains("dimension 1 must be 30") == true)
        let e2 = runError(model, ["input": Tensor(shape: [2, 30], data: .float(Array(repeating: 0, count: 59)))])
        #expect(e2?.kind == .wrongShape)
        let e3 = runError(model, ["input": Tensor(shape: [2, 30, 1], data: .float(Array(repeating: 0, count: 60)))])
        #expect(e3?.kind == .wrongShape)
    }

    @Test func wrongType() {
        let e = runError(model, ["input": Tensor(shape: [1, 30], data: .string(Array(repeating: "a", count: 30)))])
        #expect(e?.kind == .wrongType)
        #expect(e?.description.contains("expected tensor(float), got tensor(string)") == true)
    }

    @Test func doubleAndIntegerFeedsAreCastToFloat() throws {
        let values = (0..<30).map { Double($0) * 0.37 }
        let asFloat = try model.run(["input": Tensor(shape: [1, 30], data: .float(values.map { Float($0) }))])
        let asDouble = try model.run(["input": Tensor(shape: [1, 30], data: .double(values))])
        #expect(asFloat == asDouble)
        let ints = try model.run(["input": Tensor(shape: [1, 30], data: .int64(Array(0..<30)))])
        let intsAsFloat = try model.run(["input": Tensor(shape: [1, 30], data: .float((0..<30).map { Float($0) }))])
        #expect(ints == intsAsFloat)
    }

    @Test func oneRowAsVector() throws {
        let row = (0..<30).map { Float($0) }
        let a = try model.run(["input": Tensor(shape: [30], data: .float(row))])
        let b = try model.run(["input": Tensor(shape: [1, 30], data: .float(row))])
        #expect(a == b)
    }

    @Test func emptyBatch() throws {
        let out = try model.run(["input": Tensor(shape: [0, 30], data: .float([]))])
        guard case .tensor(let labels)? = out["label"] else { Issue.record("no label"); return }
        #expect(labels.count == 0)
    }

    @Test func unknownCategoryWithZerosZeroFailsTheRun() throws {
        var m = try Onnx_ModelProto(serializedBytes: Fixtures.bytes(Fixtures.zoo.appendingPathComponent("mixed-columns-logreg/v1/model.onnx")))
        for n in m.graph.node.indices where m.graph.node[n].opType == "OneHotEncoder" {
            for a in m.graph.node[n].attribute.indices where m.graph.node[n].attribute[a].name == "zeros" {
                m.graph.node[n].attribute[a].i = 0
            }
        }
        let model = try ONNXModel(bytes: m.serializedBytes())
        let num = Tensor(shape: [1, 4], data: .float([0, 0, 0, 0]))
        // Known categories still work.
        _ = try model.run(["num": num, "cat": Tensor(shape: [1, 2], data: .string(["red", "S"]))])
        let e = runError(model, ["num": num, "cat": Tensor(shape: [1, 2], data: .string(["purple", "S"]))])
        #expect(e?.kind == .operatorFailure)
        #expect(e?.opType == "OneHotEncoder")
        #expect(e?.description.contains("Unknown Category and zeros = 0") == true)
    }
}
