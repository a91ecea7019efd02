import Foundation
import SwiftProtobuf
import Testing
@testable import TandemONNX

/// If, Loop and Scan, with bodies that read values of the enclosing graph (captures), built with the
/// generated protobuf types and checked against hand-computed results.
@Suite("Control flow")
struct ControlFlowTests {
    static func value(_ name: String, _ type: ElementType, _ shape: [Int64]?) -> Onnx_ValueInfoProto {
        var v = Onnx_ValueInfoProto()
        v.name = name
        var t = Onnx_TypeProto.Tensor()
        t.elemType = type.rawValue
        if let shape {
            t.shape = Onnx_TensorShapeProto()
            t.shape.dim = shape.map { d in
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.value = .dimValue(d)
                return dim
            }
        }
        v.type.value = .tensorType(t)
        return v
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.attribute = attributes
        return n
    }

    static func graphAttribute(_ name: String, _ g: Onnx_GraphProto) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = 5
        a.g = g
        return a
    }

    static func intAttribute(_ name: String, _ i: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = 2
        a.i = i
        return a
    }

    static func graph(_ nodes: [Onnx_NodeProto], _ inputs: [Onnx_ValueInfoProto], _ outputs: [Onnx_ValueInfoProto]) -> Onnx_GraphProto {
        var g = Onnx_GraphProto()
        g.node = nodes
        g.input = inputs
        g.output = outputs
        return g
    }

    static func model(_ g: Onnx_GraphProto) throws -> ONNXModel {
        var m = Onnx_ModelProto()
        m.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        m.opsetImport = [opset]
        m.graph = g
        let bytes: [UInt8] = try m.serializedBytes()
        return try ONNXModel(bytes: bytes)
    }

    static func floats(_ v: Value?) -> [Float]? {
        if case .tensor(let t)? = v, case .float(let f) = t.data { return f }
        return nil
    }

    @Test func ifRunsTheChosenBranchOnCapturedValues() throws {
        // then: x + y; else: x * y — both read x and y from the main graph.
        let thenBranch = Self.graph([Self.node("Add", ["x", "y"], ["t"])], [], [Self.value("t", .float, [2])])
        let elseBranch = Self.graph([Self.node("Mul", ["x", "y"], ["e"])], [], [Self.value("e", .float, [2])])
        let main = Self.graph(
            [Self.node("If", ["c"], ["out"], [Self.graphAttribute("then_branch", thenBranch), Self.graphAttribute("else_branch", elseBranch)])],
            [Self.value("c", .bool, []), Self.value("x", .float, [2]), Self.value("y", .float, [2])],
            [Self.value("out", .float, [2])])
        let m = try Self.model(main)
        let x = Tensor(shape: [2], data: .float([2, 3])), y = Tensor(shape: [2], data: .float([10, 20]))
        let yes = try m.run(["c": Tensor(shape: [], data: .bool([true])), "x": x, "y": y])
        #expect(Self.floats(yes["out"]) == [12, 23])
        let no = try m.run(["c": Tensor(shape: [], data: .bool([false])), "x": x, "y": y])
        #expect(Self.floats(no["out"]) == [20, 60])
        #expect(throws: ONNXRunError.self) { try m.run(["c": Tensor(shape: [2], data: .bool([true, false])), "x": x, "y": y]) }
    }

    @Test func loopCarriesStateAndStacksScanOutputs() throws {
        // body(i, cond, acc): acc' = acc + step (captured); scan output = acc'.
        let body = Self.graph(
            [Self.node("Add", ["acc", "step"], ["acc_out"]), Self.node("Identity", ["cond_in"], ["cond_out"]),
             Self.node("Identity", ["acc_out"], ["scan"])],
            [Self.value("i", .int64, []), Self.value("cond_in", .bool, []), Self.value("acc", .float, [2])],
            [Self.value("cond_out", .bool, []), Self.value("acc_out", .float, [2]), Self.value("scan", .float, [2])])
        let main = Self.graph(
            [Self.node("Loop", ["M", "", "start"], ["final", "history"], [Self.graphAttribute("body", body)])],
            [Self.value("M", .int64, []), Self.value("start", .float, [2]), Self.value("step", .float, [2])],
            [Self.value("final", .float, [2]), Self.value("history", .float, [nil, 2].map { $0 ?? -1 })])
        let m = try Self.model(main)
        let out = try m.run([
            "M": Tensor(shape: [], data: .int64([3])), "start": Tensor(shape: [2], data: .float([0, 1])),
            "step": Tensor(shape: [2], data: .float([1, 10])),
        ])
        #expect(Self.floats(out["final"]) == [3, 31])
        guard case .tensor(let history)? = out["history"] else { Issue.record("no history"); return }
        #expect(history.shape == [3, 2])
        #expect(Self.floats(out["history"]) == [1, 11, 2, 21, 3, 31])
        let none = try m.run([
            "M": Tensor(shape: [], data: .int64([0])), "start": Tensor(shape: [2], data: .float([5, 6])),
            "step": Tensor(shape: [2], data: .float([1, 1])),
        ])
        #expect(Self.floats(none["final"]) == [5, 6])
        if case .tensor(let empty)? = none["history"] { #expect(empty.shape.first == 0 && empty.count == 0) }
    }

    @Test func scanRunsForwardAndBackward() throws {
        // Cumulative sum of the rows of X: state s' = s + row; output = s'.
        let body = Self.graph(
            [Self.node("Add", ["s", "row"], ["s_out"]), Self.node("Identity", ["s_out"], ["y"])],
            [Self.value("s", .float, [2]), Self.value("row", .float, [2])],
            [Self.value("s_out", .float, [2]), Self.value("y", .float, [2])])
        func build(reverse: Int64) throws -> ONNXModel {
            var attributes = [Self.graphAttribute("body", body), Self.intAttribute("num_scan_inputs", 1)]
            var directions = Onnx_AttributeProto()
            directions.name = "scan_input_directions"
            directions.type = 7
            directions.ints = [reverse]
            attributes.append(directions)
            return try Self.model(Self.graph(
                [Self.node("Scan", ["init", "X"], ["total", "partial"], attributes)],
                [Self.value("init", .float, [2]), Self.value("X", .float, [3, 2])],
                [Self.value("total", .float, [2]), Self.value("partial", .float, [3, 2])]))
        }
        let feeds = ["init": Tensor(shape: [2], data: .float([0, 0])), "X": Tensor(shape: [3, 2], data: .float([1, 2, 3, 4, 5, 6]))]
        let forward = try build(reverse: 0).run(feeds)
        #expect(Self.floats(forward["total"]) == [9, 12])
        #expect(Self.floats(forward["partial"]) == [1, 2, 4, 6, 9, 12])
        let backward = try build(reverse: 1).run(feeds)
        #expect(Self.floats(backward["partial"]) == [5, 6, 8, 10, 9, 12])
    }

    @Test func aBodyReadingAnUnknownValueIsALoadError() throws {
        let thenBranch = Self.graph([Self.node("Identity", ["nowhere"], ["t"])], [], [Self.value("t", .float, [1])])
        let main = Self.graph(
            [Self.node("If", ["c"], ["out"], [Self.graphAttribute("then_branch", thenBranch), Self.graphAttribute("else_branch", thenBranch)])],
            [Self.value("c", .bool, [])], [Self.value("out", .float, [1])])
        do {
            _ = try Self.model(main)
            Issue.record("loaded")
        } catch let e as ONNXLoadError {
            #expect(e.kind == .danglingInput, "\(e)")
            #expect(e.description.contains("nowhere"))
        }
    }
}
