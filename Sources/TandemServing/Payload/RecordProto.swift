// SageMaker's `Record` protobuf (package `aialgs.data`, proto2), the messages of
// `application/x-recordio-protobuf`, with their official field numbers. The schema is in proto/record.proto.
//
// The SwiftProtobuf conformances below are written by hand in the shape protoc-gen-swift gives, for the
// few fields Tandem reads and writes, so the build needs no code generator; SwiftProtobuf's runtime does
// the wire format (packed and unpacked repeated fields, maps, unknown fields skipped).

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SwiftProtobuf

private let recordPackage = "aialgs.data"

/// A dense or sparse tensor of float32 values (`keys` set: sparse, `shape` gives the dense size).
struct RecordFloat32Tensor: Sendable {
    var values: [Float] = []
    var keys: [UInt64] = []
    var shape: [UInt64] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

/// A dense or sparse tensor of float64 values.
struct RecordFloat64Tensor: Sendable {
    var values: [Double] = []
    var keys: [UInt64] = []
    var shape: [UInt64] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

/// A dense or sparse tensor of int32 values.
struct RecordInt32Tensor: Sendable {
    var values: [Int32] = []
    var keys: [UInt64] = []
    var shape: [UInt64] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

/// Opaque byte strings (Tandem writes text labels with it).
struct RecordBytes: Sendable {
    var value: [Data] = []
    var contentType: String?
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

/// One feature or label value: a oneof of the tensor kinds.
struct RecordValue: Sendable {
    enum Kind: Sendable, Equatable {
        case float32(RecordFloat32Tensor)
        case float64(RecordFloat64Tensor)
        case int32(RecordInt32Tensor)
        case bytes(RecordBytes)
    }

    var kind: Kind?
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

/// One record: named features (SageMaker's serializers use the name `values`) and named labels.
struct RecordMessage: Sendable {
    var features: [String: RecordValue] = [:]
    var label: [String: RecordValue] = [:]
    var uid: String?
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

extension RecordFloat32Tensor: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordFloat32Tensor, rhs: RecordFloat32Tensor) -> Bool {
        lhs.values == rhs.values && lhs.keys == rhs.keys && lhs.shape == rhs.shape && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Float32Tensor"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}values\0\u{1}keys\0\u{1}shape\0")

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeRepeatedFloatField(value: &values)
            case 2: try decoder.decodeRepeatedUInt64Field(value: &keys)
            case 3: try decoder.decodeRepeatedUInt64Field(value: &shape)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !values.isEmpty { try visitor.visitPackedFloatField(value: values, fieldNumber: 1) }
        if !keys.isEmpty { try visitor.visitPackedUInt64Field(value: keys, fieldNumber: 2) }
        if !shape.isEmpty { try visitor.visitPackedUInt64Field(value: shape, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }
}

extension RecordFloat64Tensor: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordFloat64Tensor, rhs: RecordFloat64Tensor) -> Bool {
        lhs.values == rhs.values && lhs.keys == rhs.keys && lhs.shape == rhs.shape && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Float64Tensor"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}values\0\u{1}keys\0\u{1}shape\0")

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeRepeatedDoubleField(value: &values)
            case 2: try decoder.decodeRepeatedUInt64Field(value: &keys)
            case 3: try decoder.decodeRepeatedUInt64Field(value: &shape)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !values.isEmpty { try visitor.visitPackedDoubleField(value: values, fieldNumber: 1) }
        if !keys.isEmpty { try visitor.visitPackedUInt64Field(value: keys, fieldNumber: 2) }
        if !shape.isEmpty { try visitor.visitPackedUInt64Field(value: shape, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }
}

extension RecordInt32Tensor: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordInt32Tensor, rhs: RecordInt32Tensor) -> Bool {
        lhs.values == rhs.values && lhs.keys == rhs.keys && lhs.shape == rhs.shape && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Int32Tensor"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}values\0\u{1}keys\0\u{1}shape\0")

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeRepeatedInt32Field(value: &values)
            case 2: try decoder.decodeRepeatedUInt64Field(value: &keys)
            case 3: try decoder.decodeRepeatedUInt64Field(value: &shape)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !values.isEmpty { try visitor.visitPackedInt32Field(value: values, fieldNumber: 1) }
        if !keys.isEmpty { try visitor.visitPackedUInt64Field(value: keys, fieldNumber: 2) }
        if !shape.isEmpty { try visitor.visitPackedUInt64Field(value: shape, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }
}

extension RecordBytes: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordBytes, rhs: RecordBytes) -> Bool {
        lhs.value == rhs.value && lhs.contentType == rhs.contentType && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Bytes"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}value\0\u{3}content_type\0")

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeRepeatedBytesField(value: &value)
            case 2: try decoder.decodeSingularStringField(value: &contentType)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !value.isEmpty { try visitor.visitRepeatedBytesField(value: value, fieldNumber: 1) }
        if let contentType { try visitor.visitSingularStringField(value: contentType, fieldNumber: 2) }
        try unknownFields.traverse(visitor: &visitor)
    }
}

extension RecordValue: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordValue, rhs: RecordValue) -> Bool {
        lhs.kind == rhs.kind && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Value"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(
        bytecode: "\0\u{4}\u{2}float32_tensor\0\u{3}float64_tensor\0\u{4}\u{4}int32_tensor\0\u{2}\u{2}bytes\0")

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 2:
                var tensor: RecordFloat32Tensor?
                if case .float32(let current)? = kind { tensor = current }
                try decoder.decodeSingularMessageField(value: &tensor)
                if let tensor { kind = .float32(tensor) }
            case 3:
                var tensor: RecordFloat64Tensor?
                if case .float64(let current)? = kind { tensor = current }
                try decoder.decodeSingularMessageField(value: &tensor)
                if let tensor { kind = .float64(tensor) }
            case 7:
                var tensor: RecordInt32Tensor?
                if case .int32(let current)? = kind { tensor = current }
                try decoder.decodeSingularMessageField(value: &tensor)
                if let tensor { kind = .int32(tensor) }
            case 9:
                var bytes: RecordBytes?
                if case .bytes(let current)? = kind { bytes = current }
                try decoder.decodeSingularMessageField(value: &bytes)
                if let bytes { kind = .bytes(bytes) }
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        switch kind {
        case .float32(let tensor)?: try visitor.visitSingularMessageField(value: tensor, fieldNumber: 2)
        case .float64(let tensor)?: try visitor.visitSingularMessageField(value: tensor, fieldNumber: 3)
        case .int32(let tensor)?: try visitor.visitSingularMessageField(value: tensor, fieldNumber: 7)
        case .bytes(let bytes)?: try visitor.visitSingularMessageField(value: bytes, fieldNumber: 9)
        case nil: break
        }
        try unknownFields.traverse(visitor: &visitor)
    }
}

extension RecordMessage: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    // Written out, as protoc-gen-swift does: SwiftProtobuf's own `==` would call `isEqualTo`, which calls `==`.
    static func == (lhs: RecordMessage, rhs: RecordMessage) -> Bool {
        lhs.features == rhs.features && lhs.label == rhs.label && lhs.uid == rhs.uid && lhs.unknownFields == rhs.unknownFields
    }

    static let protoMessageName = recordPackage + ".Record"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}features\0\u{1}label\0\u{1}uid\0")

    private typealias ValueMap = SwiftProtobuf._ProtobufMessageMap<SwiftProtobuf.ProtobufString, RecordValue>

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let field = try decoder.nextFieldNumber() {
            switch field {
            case 1: try decoder.decodeMapField(fieldType: ValueMap.self, value: &features)
            case 2: try decoder.decodeMapField(fieldType: ValueMap.self, value: &label)
            case 3: try decoder.decodeSingularStringField(value: &uid)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !features.isEmpty { try visitor.visitMapField(fieldType: ValueMap.self, value: features, fieldNumber: 1) }
        if !label.isEmpty { try visitor.visitMapField(fieldType: ValueMap.self, value: label, fieldNumber: 2) }
        if let uid { try visitor.visitSingularStringField(value: uid, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }
}
