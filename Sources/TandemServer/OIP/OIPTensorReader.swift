import TandemJSON
import TandemONNX
import TandemServing

/// Turns one OIP input into the runtime tensor a model input takes: checks the datatype and shape against
/// the model's signature, then reads the elements from JSON (`data`, nested or flat, row-major) or from the
/// binary extension's raw little-endian bytes (BYTES: a 4-byte little-endian length before each element).
enum OIPTensorReader {
    static func tensor(
        _ input: OIPInferRequest.Input, body: [UInt8], for declared: ModelSignature.Input
    ) throws(InvocationFailure) -> Tensor {
        let name = input.name
        guard let type = OIPDataType.elementType(input.datatype) else {
            if OIPDataType.protocolNames.contains(input.datatype) {
                throw OIPInferRequest.bad(
                    "unsupported_datatype",
                    "input '\(name)': datatype \(input.datatype) is not one Tandem's runtime holds "
                        + "(\(OIPDataType.supportedNames.joined(separator: ", ")))")
            }
            throw OIPInferRequest.bad("unknown_datatype", "input '\(name)': unknown datatype '\(input.datatype)'")
        }
        guard type == declared.elementType else {
            throw OIPInferRequest.bad(
                "wrong_datatype",
                "input '\(name)' is \(input.datatype) but the model takes \(OIPDataType.name(declared.elementType))")
        }
        try checkShape(input.shape, declared: declared.shape, name: name)
        var count = 1
        for dim in input.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw OIPInferRequest.bad("bad_shape", "input '\(name)': shape \(input.shape) is too large") }
            count = product
        }
        let data: TensorData
        switch input.elements {
        case .json(let value):
            var flat: [JSONValue] = []
            flatten(value, into: &flat, limit: count)
            guard flat.count == count else {
                throw OIPInferRequest.bad(
                    "wrong_element_count",
                    "input '\(name)' has shape \(input.shape) (\(count) elements) but its data holds "
                        + (flat.count > count ? "more" : "\(flat.count)"))
            }
            data = try fromJSON(flat, type: type, name: name)
        case .binary(let range):
            data = try fromBytes(body, range, type: type, count: count, name: name, shape: input.shape)
        }
        return Tensor(shape: input.shape, data: data)
    }

    /// Rank and every fixed dimension must match; a dynamic dimension (`-1` in the metadata) takes any size.
    /// A model that declares no shape takes any.
    private static func checkShape(_ shape: [Int], declared: [Int?], name: String) throws(InvocationFailure) {
        guard !declared.isEmpty else { return }
        let matches = shape.count == declared.count && zip(shape, declared).allSatisfy { $1 == nil || $0 == $1 }
        guard matches else {
            let expected = "[" + declared.map { $0.map(String.init) ?? "-1" }.joined(separator: ",") + "]"
            throw OIPInferRequest.bad(
                "wrong_shape",
                "input '\(name)' has shape \(shape) but the model takes \(expected) (-1: any size)")
        }
    }

    /// Row-major flattening of nested arrays; stops one past `limit` (a count mismatch is all that matters then).
    private static func flatten(_ value: JSONValue, into flat: inout [JSONValue], limit: Int) {
        guard flat.count <= limit else { return }
        if case .array(let items) = value {
            for item in items { flatten(item, into: &flat, limit: limit) }
        } else {
            flat.append(value)
        }
    }

    private static func fromJSON(_ flat: [JSONValue], type: ElementType, name: String) throws(InvocationFailure) -> TensorData {
        func number(_ index: Int) throws(InvocationFailure) -> Double {
            guard let value = flat[index].numberValue else { throw element(name, index, "is \(flat[index]), not a number") }
            return value
        }
        func integer<T: FixedWidthInteger>(_ index: Int, _: T.Type) throws(InvocationFailure) -> T {
            let value = try number(index)
            guard let exact = T(exactly: value) else {
                throw element(name, index, "is \(flat[index]), not a whole number in the range of \(OIPDataType.name(type))")
            }
            return exact
        }
        switch type {
        case .float:
            var out: [Float] = []
            out.reserveCapacity(flat.count)
            for i in flat.indices {
                let value = Float(try number(i))
                guard value.isFinite else { throw element(name, i, "is \(flat[i]), outside the range of FP32") }
                out.append(value)
            }
            return .float(out)
        case .double:
            var out: [Double] = []
            out.reserveCapacity(flat.count)
            for i in flat.indices { out.append(try number(i)) }
            return .double(out)
        case .int64:
            var out: [Int64] = []
            out.reserveCapacity(flat.count)
            for i in flat.indices { out.append(try integer(i, Int64.self)) }
            return .int64(out)
        case .int32:
            var out: [Int32] = []
            for i in flat.indices { out.append(try integer(i, Int32.self)) }
            return .int32(out)
        case .int8:
            var out: [Int8] = []
            for i in flat.indices { out.append(try integer(i, Int8.self)) }
            return .int8(out)
        case .uint8:
            var out: [UInt8] = []
            for i in flat.indices { out.append(try integer(i, UInt8.self)) }
            return .uint8(out)
        case .bool:
            var out: [Bool] = []
            for i in flat.indices {
                guard case .bool(let flag) = flat[i] else { throw element(name, i, "is \(flat[i]), not true or false") }
                out.append(flag)
            }
            return .bool(out)
        case .string:
            var out: [String] = []
            for i in flat.indices {
                guard let text = flat[i].stringValue else { throw element(name, i, "is \(flat[i]), not a string") }
                out.append(text)
            }
            return .string(out)
        }
    }

    /// Raw little-endian elements from `body[range]`, whose size was checked against the body already.
    private static func fromBytes(
        _ body: [UInt8], _ range: Range<Int>, type: ElementType, count: Int, name: String, shape: [Int]
    ) throws(InvocationFailure) -> TensorData {
        guard let width = OIPDataType.width(type) else {
            return .string(try strings(body, range, count: count, name: name))
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, expected == range.count else {
            throw OIPInferRequest.bad(
                "binary_size_mismatch",
                "input '\(name)': shape \(shape) of \(OIPDataType.name(type)) takes \(overflow ? "too many" : String(expected)) "
                    + "bytes but binary_data_size is \(range.count)")
        }
        let start = range.lowerBound
        switch type {
        case .float: return .float((0..<count).map { Float(bitPattern: UInt32(truncatingIfNeeded: word(body, start + $0 * 4, 4))) })
        case .double: return .double((0..<count).map { Double(bitPattern: word(body, start + $0 * 8, 8)) })
        case .int64: return .int64((0..<count).map { Int64(bitPattern: word(body, start + $0 * 8, 8)) })
        case .int32: return .int32((0..<count).map { Int32(truncatingIfNeeded: word(body, start + $0 * 4, 4)) })
        case .int8: return .int8(body[range].map { Int8(bitPattern: $0) })
        case .uint8: return .uint8(Array(body[range]))
        case .bool:
            var out: [Bool] = []
            out.reserveCapacity(count)
            for (i, byte) in body[range].enumerated() {
                guard byte <= 1 else { throw element(name, i, "is the byte \(byte); BOOL elements are 0 or 1") }
                out.append(byte == 1)
            }
            return .bool(out)
        case .string: return .string([])  // unreachable: BYTES has no fixed width and returned above
        }
    }

    /// `size` little-endian bytes at `offset` as an unsigned word (in bounds: checked by the caller).
    private static func word(_ bytes: [UInt8], _ offset: Int, _ size: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in stride(from: size - 1, through: 0, by: -1) { value = value << 8 | UInt64(bytes[offset + i]) }
        return value
    }

    /// BYTES elements: each a 4-byte little-endian length, then that many bytes of UTF-8.
    private static func strings(_ body: [UInt8], _ range: Range<Int>, count: Int, name: String) throws(InvocationFailure) -> [String] {
        var out: [String] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            guard range.upperBound - offset >= 4 else {
                throw OIPInferRequest.bad(
                    "binary_size_mismatch", "input '\(name)': BYTES element \(out.count) has a cut-off length prefix")
            }
            let length = Int(word(body, offset, 4))
            offset += 4
            guard length <= range.upperBound - offset else {
                throw OIPInferRequest.bad(
                    "binary_size_mismatch",
                    "input '\(name)': BYTES element \(out.count) says \(length) bytes but only \(range.upperBound - offset) are left "
                        + "within its binary_data_size")
            }
            guard out.count < count else {
                throw OIPInferRequest.bad("wrong_element_count", "input '\(name)' holds more than the \(count) BYTES elements its shape says")
            }
            guard let text = String(validating: body[offset..<(offset + length)], as: UTF8.self) else {
                throw element(name, out.count, "is not UTF-8 text")
            }
            out.append(text)
            offset += length
        }
        guard out.count == count else {
            throw OIPInferRequest.bad(
                "wrong_element_count", "input '\(name)' holds \(out.count) BYTES elements but its shape says \(count)")
        }
        return out
    }

    private static func element(_ name: String, _ index: Int, _ what: String) -> InvocationFailure {
        OIPInferRequest.bad("bad_element", "input '\(name)' element \(index) \(what)")
    }
}
