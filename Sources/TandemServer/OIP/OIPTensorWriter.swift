import TandemJSON
import TandemONNX
import TandemServing

/// Writes a model's outputs as an Open Inference Protocol response: each output as a JSON tensor
/// (`{"name","datatype","shape","data"}`, data flat and row-major) or, when the caller asked for binary, as
/// `parameters.binary_data_size` with its raw little-endian bytes after the JSON (BYTES: a 4-byte length
/// before each element).
///
/// The JSON is written without its opening `{`, so the door can put `model_name`, `model_version` and
/// the routing facts (known only once the core has routed the request) in front of it.
enum OIPTensorWriter {
    /// The response body after its opening brace, and how many of its bytes are JSON (the rest is binary).
    struct Encoded: Sendable {
        var bytes: [UInt8]
        var jsonLength: Int
        var hasBinary: Bool
    }

    static func encode(
        _ outputs: [String: Value], signature: ModelSignature, request: OIPInferRequest, requestID: String
    ) throws(InvocationFailure) -> Encoded {
        var chosen: [(name: String, binary: Bool)] = []
        if let requested = request.outputs {
            for output in requested {
                guard signature.outputs.contains(where: { $0.name == output.name }) else {
                    throw OIPInferRequest.bad(
                        "unknown_output",
                        "output '\(output.name)' is not one of the model's outputs (\(signature.outputs.map(\.name).joined(separator: ", ")))")
                }
                chosen.append((output.name, output.binary ?? request.binaryOutputByDefault))
            }
        } else {
            chosen = signature.outputs.map { ($0.name, request.binaryOutputByDefault) }
        }
        var w = JSONWriter(capacity: 512)
        var binary: [UInt8] = []
        w.beginObject()
        w.member("id", string: request.id ?? requestID)
        w.key("outputs")
        w.beginArray()
        for (name, wantsBinary) in chosen {
            guard let tensor = try outputTensor(outputs[name], name: name, explicitlyRequested: request.outputs != nil) else { continue }
            w.beginObject()
            w.member("name", string: name)
            w.member("datatype", string: OIPDataType.name(tensor.elementType))
            w.key("shape")
            w.beginArray()
            for dim in tensor.shape { w.number(dim) }
            w.endArray()
            if wantsBinary {
                let before = binary.count
                appendBytes(tensor.data, to: &binary)
                w.key("parameters")
                w.beginObject()
                w.member("binary_data_size", int: binary.count - before)
                w.endObject()
            } else {
                w.key("data")
                writeJSON(tensor.data, to: &w)
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        let json = w.bytes.dropFirst()
        return Encoded(bytes: Array(json) + binary, jsonLength: json.count, hasBinary: !binary.isEmpty || chosen.contains { $0.binary })
    }

    /// The tensor an output travels as: a tensor as is; a ZipMap sequence as its FP32 score matrix. A single
    /// map has no OIP form: refused when asked for by name, else left out.
    private static func outputTensor(_ value: Value?, name: String, explicitlyRequested: Bool) throws(InvocationFailure) -> Tensor? {
        switch value {
        case .tensor(let tensor)?:
            return tensor
        case .mapSequence(let maps)?:
            return Tensor(shape: [maps.rows, maps.keys.count], data: .float(maps.values))
        case .map?:
            guard explicitlyRequested else { return nil }
            throw OIPInferRequest.bad("unsupported_output", "output '\(name)' is a single map, which has no Open Inference Protocol form")
        case nil:
            guard explicitlyRequested else { return nil }
            throw .modelFailed(code: "missing_output", message: "the model returned no output '\(name)'")
        }
    }

    private static func writeJSON(_ data: TensorData, to w: inout JSONWriter) {
        w.beginArray()
        switch data {
        case .float(let v): for x in v { w.number(x) }
        case .double(let v): for x in v { w.number(x) }
        case .int64(let v): for x in v { w.number(x) }
        case .int32(let v): for x in v { w.number(Int64(x)) }
        case .int8(let v): for x in v { w.number(Int64(x)) }
        case .uint8(let v): for x in v { w.number(Int64(x)) }
        case .bool(let v): for x in v { w.bool(x) }
        case .string(let v): for x in v { w.string(x) }
        }
        w.endArray()
    }

    /// Raw little-endian bytes of `data` appended to `out`.
    static func appendBytes(_ data: TensorData, to out: inout [UInt8]) {
        func word(_ value: UInt64, _ size: Int) {
            for i in 0..<size { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
        }
        switch data {
        case .float(let v): for x in v { word(UInt64(x.bitPattern), 4) }
        case .double(let v): for x in v { word(x.bitPattern, 8) }
        case .int64(let v): for x in v { word(UInt64(bitPattern: x), 8) }
        case .int32(let v): for x in v { word(UInt64(UInt32(bitPattern: x)), 4) }
        case .int8(let v): for x in v { out.append(UInt8(bitPattern: x)) }
        case .uint8(let v): out.append(contentsOf: v)
        case .bool(let v): for x in v { out.append(x ? 1 : 0) }
        case .string(let v):
            for x in v {
                let utf8 = Array(x.utf8)
                word(UInt64(utf8.count), 4)
                out.append(contentsOf: utf8)
            }
        }
    }
}
