/// A minimal protocol-buffers wire-format encoder: just what an ONNX `ModelProto` needs
/// (varints, length-delimited fields, packed repeated int64 and float, fixed32 floats).
///
/// Written here rather than reusing TandemONNX's generated messages, which are internal to that target.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) {
        varint(UInt64(field) << 3 | wireType)
    }

    /// An int64 / int32 / enum field (wire type 0); negative values take ten bytes, as protobuf encodes them.
    mutating func int(_ field: Int, _ value: Int64) {
        tag(field, 0)
        varint(UInt64(bitPattern: value))
    }

    /// A float field (wire type 5).
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        let b = value.bitPattern
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: b >> UInt32(shift))) }
    }

    /// A bytes or string field (wire type 2).
    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// An embedded message.
    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed repeated int64 field.
    mutating func packedInts(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for v in values { inner.varint(UInt64(bitPattern: v)) }
        bytes(field, inner.bytes)
    }

    /// A packed repeated float field.
    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(values.count * 4)
        for v in values {
            let b = v.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { payload.append(UInt8(truncatingIfNeeded: b >> UInt32(shift))) }
        }
        bytes(field, payload)
    }
}
