import Foundation

/// Decodes `TensorProto` messages (initializers and TENSOR attributes) into tensors.
/// Values come from `raw_data` (little-endian) or the typed repeated fields.
enum TensorDecoding {
    /// ONNX `TensorProto.DataType` numbers Tandem understands in addition to `ElementType`.
    static let uint8Type: Int32 = 2

    /// The shape, checked for negative dimensions and element-count overflow.
    static func shape(_ proto: Onnx_TensorProto, what: String) throws(BuildError) -> (shape: [Int], count: Int) {
        var dims: [Int] = []
        dims.reserveCapacity(proto.dims.count)
        for d in proto.dims {
            guard d >= 0, d <= Int64(Int32.max) else { throw BuildError(.invalidTensor, "\(what) has invalid dimension \(d)") }
            dims.append(Int(d))
        }
        guard let count = Shapes.elementCount(dims), count <= 1 << 31 else {
            throw BuildError(.invalidTensor, "\(what) has too many elements (dims \(proto.dims))")
        }
        return (dims, count)
    }

    /// Decodes a tensor of one of Tandem's element types.
    static func tensor(_ proto: Onnx_TensorProto, what: String) throws(BuildError) -> Tensor {
        if proto.dataLocation == 1 {
            throw BuildError(.invalidTensor, "\(what) stores its data externally; external data is not supported")
        }
        let (dims, count) = try shape(proto, what: what)
        guard let type = ElementType(rawValue: proto.dataType) else {
            throw BuildError(.invalidTensor, "\(what) has element type \(ElementTypeNames.name(proto.dataType)), which Tandem does not support (supported: float, double, int64, int32, int8, uint8, bool, string)")
        }
        let raw = proto.hasRawData ? proto.rawData : nil
        func check(_ n: Int, _ field: String) throws(BuildError) {
            if n != count { throw BuildError(.invalidTensor, "\(what) has \(n) values in \(field) but its shape \(dims) needs \(count)") }
        }
        let data: TensorData
        switch type {
        case .float:
            if let raw {
                try check(raw.count / 4, "raw_data")
                if raw.count % 4 != 0 { throw BuildError(.invalidTensor, "\(what) raw_data length \(raw.count) is not a multiple of 4") }
                data = .float(littleEndian(raw, count) { Float(bitPattern: $0) as Float })
            } else {
                try check(proto.floatData.count, "float_data")
                data = .float(proto.floatData)
            }
        case .double:
            if let raw {
                try check(raw.count / 8, "raw_data")
                if raw.count % 8 != 0 { throw BuildError(.invalidTensor, "\(what) raw_data length \(raw.count) is not a multiple of 8") }
                data = .double(littleEndian(raw, count) { (b: UInt64) in Double(bitPattern: b) })
            } else {
                try check(proto.doubleData.count, "double_data")
                data = .double(proto.doubleData)
            }
        case .int64:
            if let raw {
                try check(raw.count / 8, "raw_data")
                if raw.count % 8 != 0 { throw BuildError(.invalidTensor, "\(what) raw_data length \(raw.count) is not a multiple of 8") }
                data = .int64(littleEndian(raw, count) { (b: UInt64) in Int64(bitPattern: b) })
            } else {
                try check(proto.int64Data.count, "int64_data")
                data = .int64(proto.int64Data)
            }
        case .int32:
            if let raw {
                try check(raw.count / 4, "raw_data")
                if raw.count % 4 != 0 { throw BuildError(.invalidTensor, "\(what) raw_data length \(raw.count) is not a multiple of 4") }
                data = .int32(littleEndian(raw, count) { (b: UInt32) in Int32(bitPattern: b) })
            } else {
                try check(proto.int32Data.count, "int32_data")
                data = .int32(proto.int32Data)
            }
        case .int8:
            if let raw {
                try check(raw.count, "raw_data")
                data = .int8(raw.map { Int8(bitPattern: $0) })
            } else {
                try check(proto.int32Data.count, "int32_data")
                data = .int8(proto.int32Data.map { Int8(truncatingIfNeeded: $0) })
            }
        case .uint8:
            if let raw {
                try check(raw.count, "raw_data")
                data = .uint8([UInt8](raw))
            } else {
                try check(proto.int32Data.count, "int32_data")
                data = .uint8(proto.int32Data.map { UInt8(truncatingIfNeeded: $0) })
            }
        case .bool:
            if let raw {
                try check(raw.count, "raw_data")
                data = .bool(raw.map { $0 != 0 })
            } else {
                try check(proto.int32Data.count, "int32_data")
                data = .bool(proto.int32Data.map { $0 != 0 })
            }
        case .string:
            try check(proto.stringData.count, "string_data")
            data = .string(proto.stringData.map { String(decoding: $0, as: UTF8.self) })
        }
        return Tensor(shape: dims, data: data)
    }

    /// The values of a numeric tensor as doubles (float, double, int types).
    static func doubles(_ proto: Onnx_TensorProto, what: String) throws(BuildError) -> [Double] {
        let t = try tensor(proto, what: what)
        switch t.data {
        case .float(let v): return v.map { Double($0) }
        case .double(let v): return v
        case .int64(let v): return v.map { Double($0) }
        case .int32(let v): return v.map { Double($0) }
        case .int8(let v): return v.map { Double($0) }
        case .uint8(let v): return v.map { Double($0) }
        default: throw BuildError(.attributeType, "\(what) must hold float or double values, got \(t.elementType)")
        }
    }

    /// The values of an integer tensor (uint8, int32, int64) as Int64.
    static func integers(_ proto: Onnx_TensorProto, what: String) throws(BuildError) -> [Int64] {
        if proto.dataType == uint8Type {
            let (_, count) = try shape(proto, what: what)
            if proto.hasRawData {
                if proto.rawData.count != count { throw BuildError(.invalidTensor, "\(what) has \(proto.rawData.count) bytes but needs \(count)") }
                return proto.rawData.map { Int64($0) }
            }
            if proto.int32Data.count != count { throw BuildError(.invalidTensor, "\(what) has \(proto.int32Data.count) values but needs \(count)") }
            return proto.int32Data.map { Int64($0) }
        }
        let t = try tensor(proto, what: what)
        guard let v = t.integerValues() else {
            throw BuildError(.attributeType, "\(what) must hold integers, got \(t.elementType)")
        }
        return v
    }

    /// Reads `count` little-endian fixed-width values from `raw`.
    private static func littleEndian<Bits: FixedWidthInteger, T>(_ raw: Data, _ count: Int, _ convert: (Bits) -> T) -> [T] {
        let width = MemoryLayout<Bits>.size
        // Safe byte assembly: the callers checked raw.count == count * width, so every read is in
        // bounds; copying into an array first avoids Data's per-subscript index translation.
        let bytes = [UInt8](raw)
        let b = bytes.span
        var out: [T] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let start = i * width
            var bits: Bits = 0
            for byte in 0..<width { bits |= Bits(truncatingIfNeeded: b[start + byte]) << (8 * byte) }
            out.append(convert(bits))
        }
        return out
    }
}
