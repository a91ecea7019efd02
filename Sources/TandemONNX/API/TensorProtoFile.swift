import Foundation
import SwiftProtobuf

/// Reads and writes single ONNX `TensorProto` messages: the `input_0.pb` / `output_0.pb` files of
/// the ONNX backend test layout that `tandem run` takes and produces.
public enum TensorProtoFile {
    /// Decodes one serialized `TensorProto`; the name is `""` when the file gives none.
    public static func decode(_ bytes: [UInt8]) throws -> (name: String, tensor: Tensor) {
        let proto: Onnx_TensorProto
        do {
            proto = try Onnx_TensorProto(serializedBytes: bytes)
        } catch {
            throw ONNXLoadError(.invalidProtobuf, "the bytes are not a valid ONNX TensorProto (\(error))")
        }
        do {
            return (proto.name, try TensorDecoding.tensor(proto, what: "tensor '\(proto.name)'"))
        } catch {
            throw ONNXLoadError(error.kind, error.message)
        }
    }

    /// Serializes `tensor` as a `TensorProto` named `name` (typed fields, no raw data).
    public static func encode(_ tensor: Tensor, name: String) throws -> [UInt8] {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dims = tensor.shape.map { Int64($0) }
        proto.dataType = tensor.elementType.rawValue
        switch tensor.data {
        case .float(let v): proto.floatData = v
        case .double(let v): proto.doubleData = v
        case .int64(let v): proto.int64Data = v
        case .int32(let v): proto.int32Data = v
        case .int8(let v): proto.int32Data = v.map { Int32($0) }
        case .uint8(let v): proto.int32Data = v.map { Int32($0) }
        case .bool(let v): proto.int32Data = v.map { $0 ? 1 : 0 }
        case .string(let v): proto.stringData = v.map { Data($0.utf8) }
        }
        return try proto.serializedBytes()
    }
}
