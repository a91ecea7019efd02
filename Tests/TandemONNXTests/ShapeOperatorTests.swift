import Foundation
import Testing
@testable import TandemONNX

/// The shape family's kernels on the corner cases where onnxruntime's behaviour is the
/// reference (negative steps with INT_MAX ends, reflect limits, Unique's output order), and
/// hostile inputs that must fail the run instead of trapping or exhausting memory.
@Suite("Shape operators")
struct ShapeOperatorTests {
    func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = 7
        a.ints = ints
        return a
    }

    func attribute(_ name: String, int: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = 2
        a.i = int
        return a
    }

    func attribute(_ name: String, string: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = 3
        a.s = Data(string.utf8)
        return a
    }

    func build(_ schema: OperatorSchema, _ version: Int64, _ attributes: [Onnx_AttributeProto] = [], inputs: [Tensor?], constant: Set<Int> = [], outputs: Int = 1) throws -> BuiltKernel {
        try schema.build(NodeContext(
            name: "n", opType: schema.opType, domain: "", sinceVersion: version,
            attributes: try NodeAttributes(attributes),
            inputTypes: inputs.map { $0.map { ValueType.tensor($0.elementType, shape: $0.shape.map { $0 }) } },
            constantInputs: inputs.enumerated().map { constant.contains($0.offset) ? $0.element : nil },
            outputCount: outputs))
    }

    func run(_ schema: OperatorSchema, _ version: Int64, _ attributes: [Onnx_AttributeProto] = [], _ inputs: [Tensor?], outputs: Int = 1) throws -> [Tensor] {
        let built = try build(schema, version, attributes, inputs: inputs, outputs: outputs)
        return try built.kernel.run(inputs.map { $0.map { .tensor($0) } }).map { v in
            guard case .tensor(let t) = v else { throw KernelError("not a tensor") }
            return t
        }
    }

    func ints(_ v: [Int64], _ shape: [Int]? = nil) -> Tensor { Tensor(shape: shape ?? [v.count], data: .int64(v)) }
    func floats(_ v: [Float], _ shape: [Int]) -> Tensor { Tensor(shape: shape, data: .float(v)) }

    @Test func sliceNegativeStepToTheStart() throws {
        let x = floats([0, 1, 2, 3], [4])
        let y = try run(SliceKernel.schema, 13, [], [x, ints([-2]), ints([Int64.max]), ints([0]), ints([-1])])
        #expect(y[0] == floats([2, 1, 0], [3]))
    }

    @Test func sliceVersion1Attributes() throws {
        let x = floats([0, 1, 2, 3, 4, 5], [2, 3])
        let attrs = [attribute("starts", ints: [1]), attribute("ends", ints: [1000]), attribute("axes", ints: [1])]
        let built = try build(SliceKernel.schema, 1, attrs, inputs: [x])
        #expect(built.outputTypes[0] == .tensor(.float, shape: [2, 2]))
        let y = try run(SliceKernel.schema, 1, attrs, [x])
        #expect(y[0] == floats([1, 2, 4, 5], [2, 2]))
    }

    @Test func padModes() throws {
        let x = floats([1, 2, 3], [3])
        let reflect = try run(PadKernel.schema, 19, [attribute("mode", string: "reflect")], [x, ints([2, 2])])
        #expect(reflect[0] == floats([3, 2, 1, 2, 3, 2, 1], [7]))
        let wrap = try run(PadKernel.schema, 19, [attribute("mode", string: "wrap")], [x, ints([1, 2])])
        #expect(wrap[0] == floats([3, 1, 2, 3, 1, 2], [6]))
        let edge = try run(PadKernel.schema, 2, [attribute("mode", string: "edge"), attribute("pads", ints: [1, -1])], [x])
        #expect(edge[0] == floats([1, 1, 2], [3]))
        #expect(throws: KernelError.self) { try run(PadKernel.schema, 19, [attribute("mode", string: "reflect")], [x, ints([3, 0])]) }
    }

    @Test func uniqueOutputsInOnnxruntimeOrder() throws {
        let y = try run(UniqueKernel.schema, 11, [attribute("sorted", int: 0)], [ints([2, 1, 1, 3, 2])], outputs: 4)
        #expect(y[0] == ints([2, 1, 3]))
        #expect(y[1] == ints([0, 1, 3]))
        #expect(y[2] == ints([0, 1, 1, 2, 0]))
        #expect(y[3] == ints([2, 2, 1]))
    }

    @Test func splitNumOutputs() throws {
        let x = floats([0, 1, 2, 3, 4], [5])
        let y = try run(SplitKernel.schema, 18, [attribute("num_outputs", int: 3)], [x], outputs: 3)
        #expect(y.map(\.shape) == [[2], [2], [1]])
    }

    @Test func constantAndShapeTypesAreExact() throws {
        let c = try build(ConstantKernel.schema, 13, [attribute("value_ints", ints: [3, 4])], inputs: [])
        #expect(c.outputTypes[0] == .tensor(.int64, shape: [2]))
        let s = try build(ShapeKernel.schema, 15, [attribute("start", int: -2)], inputs: [floats([0], [1, 1, 1])])
        #expect(s.outputTypes[0] == .tensor(.int64, shape: [2]))
        let shape = ints([2, 3])
        let k = try build(ConstantOfShapeKernel.schema, 9, inputs: [shape], constant: [0])
        #expect(k.outputTypes[0] == .tensor(.float, shape: [2, 3]))
    }

    @Test func sparseConstantFailsToLoad() throws {
        var a = Onnx_AttributeProto()
        a.name = "sparse_value"
        a.type = 11
        #expect(throws: BuildError.self) { try build(ConstantKernel.schema, 13, [a], inputs: []) }
    }

    @Test func hostileSizesFailTheRun() throws {
        let x = floats([1, 2], [1, 2])
        #expect(throws: KernelError.self) { try run(TileKernel.schema, 13, [], [x, ints([1 << 40, 1 << 40])]) }
        #expect(throws: KernelError.self) { try run(ConstantOfShapeKernel.schema, 9, [], [ints([1 << 31, 1 << 31])]) }
        #expect(throws: KernelError.self) { try run(ExpandKernel.schema, 13, [], [x, ints([1 << 30, 1 << 30, 2])]) }
        #expect(throws: KernelError.self) { try run(PadKernel.schema, 13, [], [x, ints([Int64.min, 0, 0, 0])]) }
        #expect(throws: KernelError.self) { try run(GatherKernel.schema, 13, [], [x, ints([2])]) }
        #expect(throws: KernelError.self) {
            try run(RangeKernel.schema, 11, [], [Tensor(shape: [], data: .int64([Int64.min])), Tensor(shape: [], data: .int64([Int64.max])), Tensor(shape: [], data: .int64([1]))])
        }
    }
}
