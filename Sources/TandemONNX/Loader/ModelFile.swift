import Foundation
import SwiftProtobuf

/// Reads a model file's bytes and decodes its `ModelProto`, for loading and for inspection alike.
enum ModelFile {
    /// The bytes of the file at `path`.
    static func bytes(_ path: String) throws(ONNXLoadError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ONNXLoadError(.unreadableFile, "cannot read model file '\(path)'")
        }
        return [UInt8](data)
    }

    /// The decoded model (unknown fields skipped).
    static func decode(_ bytes: [UInt8]) throws(ONNXLoadError) -> Onnx_ModelProto {
        do {
            var options = BinaryDecodingOptions()
            options.discardUnknownFields = true
            return try Onnx_ModelProto(serializedBytes: bytes, extensions: nil, partial: true, options: options)
        } catch {
            throw ONNXLoadError(.invalidProtobuf, "the bytes are not a valid ONNX model protobuf (\(error))")
        }
    }
}
