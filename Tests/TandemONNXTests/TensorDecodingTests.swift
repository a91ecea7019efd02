import Foundation
import SwiftProtobuf
import Testing
@testable import TandemONNX

/// Initializers arrive in typed fields or little-endian `raw_data`, and repeated scalars may be
/// packed or unpacked on the wire; all forms must decode to the same tensor.
@Suite("Tensor decoding")
struct TensorDecodingTests {
    func decode(_ proto: Onnx_TensorProto) throws -> Tensor {
        try TensorDecoding.tensor(proto, what: "test")
    }

    @Test func typedFieldsAndRawDataAgree() throws {
        var typed = Onnx_TensorProto()
        typed.dims = [2, 2]
        typed.dataType = ElementType.float.rawValue
        typed.floatData = [1.5, -2, .infinity, 0.1]
        var raw = Onnx_TensorProto()
        raw.dims = [2, 2]
        raw.dataType = ElementType.float.rawValue
        raw.rawData = Data(typed.floatData.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
        #expect(try decode(typed) == decode(raw))
        #expect(try decode(raw) == Tensor(shape: [2, 2], data: .float([1.5, -2, .infinity, 0.1])))
    }

    @Test func everyElementType() throws {
        var p = Onnx_TensorProto()
        p.dims = [3]
        p.dataType = ElementType.int64.rawValue
        p.int64Data = [-1, 0, Int64.max]
        #expect(try decode(p).data == .int64([-1, 0, Int64.max]))
        p.dataType = ElementType.double.rawValue
        p.int64Data = []
        p.doubleData = [0.1, -0.2, 1e300]
        #expect(try decode(p).data == .double([0.1, -0.2, 1e300]))
        p.dataType = ElementType.int32.rawValue
        p.doubleData = []
        p.int32Data = [7, -8, 9]
        #expect(try decode(p).data == .int32([7, -8, 9]))
        p.dataType = ElementType.bool.rawValue
        p.int32Data = [1, 0, 1]
        #expect(try decode(p).data == .bool([true, false, true]))
        p.int32Data = []
        p.rawData = Data([0, 1, 0])
        #expect(try decode(p).data == .bool([false, true, false]))
        p.rawData = Data()
        p.clearRawData()
        p.dataType = ElementType.string.rawValue
        p.stringData = [Data("a".utf8), Data("ß".utf8), Data()]
        #expect(try decode(p).data == .string(["a", "ß", ""]))
        var d = Onnx_TensorProto()
        d.dims = [2]
        d.dataType = ElementType.double.rawValue
        d.rawData = Data([0.25, -3.0].flatMap { (v: Double) in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) })
        #expect(try decode(d).data == .double([0.25, -3.0]))
        var s = Onnx_TensorProto()  // a scalar: no dims, one value
        s.dataType = ElementType.int64.rawValue
        s.int64Data = [42]
        #expect(try decode(s) == Tensor(shape: [], data: .int64([42])))
    }

    @Test func packedAndUnpackedRepeatedScalarsDecodeAlike() throws {
        let values: [Float] = [1, 2.5]
        let floatBytes = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        // dims = [2] (field 1, varint), data_type = FLOAT (field 2, varint)
        let header: [UInt8] = [0x08, 0x02, 0x10, 0x01]
        // float_data (field 4): packed = one length-delimited record; unpacked = one fixed32 record per value.
        let packed = header + [0x22, 0x08] + floatBytes
        let unpacked = header + [0x25] + Array(floatBytes[0..<4]) + [0x25] + Array(floatBytes[4..<8])
        let a = try decode(Onnx_TensorProto(serializedBytes: packed))
        let b = try decode(Onnx_TensorProto(serializedBytes: unpacked))
        #expect(a == b)
        #expect(a == Tensor(shape: [2], data: .float(values)))

        // AttributeProto: name "k" (field 1), type INTS (field 20 = 7), ints 3, 5 (field 8)
        // unpacked as the exporters write them, and packed.
        let head: [UInt8] = [0x0A, 0x01, 0x6B, 0xA0, 0x01, 0x07]
        let attr = try Onnx_AttributeProto(serializedBytes: head + [0x40, 0x03, 0x40, 0x05])
        let packedAttr = try Onnx_AttributeProto(serializedBytes: head + [0x42, 0x02, 0x03, 0x05])
        #expect(attr.ints == [3, 5])
        #expect(packedAttr.ints == [3, 5])
        #expect(try NodeAttributes([attr]).ints("k") == [3, 5])
    }

    @Test func countMismatchIsAnError() {
        var p = Onnx_TensorProto()
        p.dims = [4]
        p.dataType = ElementType.float.rawValue
        p.floatData = [1, 2]
        #expect(throws: BuildError.self) { try decode(p) }
        p.dims = [Int64.max, 4]
        #expect(throws: BuildError.self) { try decode(p) }
        p.dims = [2]
        p.dataType = 16  // bfloat16: not supported
        #expect(throws: BuildError.self) { try decode(p) }
    }
}
