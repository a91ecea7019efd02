import Foundation
import TandemJSON
import TandemServing

/// An Open Inference Protocol inference request as sent, before it meets a model: the JSON header's
/// `id`, `parameters`, `inputs` and `outputs`, with each binary input's place in the body.
///
/// Read from `body` and the `Inference-Header-Content-Length` header: without the header the whole body
/// is the JSON; with it, the first N bytes are the JSON and the rest are the inputs' raw bytes, one after
/// another in input order, each `parameters.binary_data_size` long. Every size is checked against the body
/// before anything is read or allocated, so no length a client sends can read past the body or make
/// Tandem allocate more than the body holds.
struct OIPInferRequest: Sendable {
    /// One input tensor: its declaration and where its elements are (JSON `data`, or a byte range).
    struct Input: Sendable {
        var name: String
        var datatype: String
        var shape: [Int]
        var elements: Elements
    }

    /// Where an input's elements are.
    enum Elements: Sendable {
        case json(JSONValue)
        case binary(Range<Int>)
    }

    /// An output the caller asked for, and whether it wants it as raw bytes (nil: the request's default).
    struct RequestedOutput: Sendable, Equatable {
        var name: String
        var binary: Bool?
    }

    var id: String?
    /// `parameters.binary_data_output`: outputs not listed come back as raw bytes.
    var binaryOutputByDefault = false
    var inputs: [Input] = []
    /// nil: every output of the model.
    var outputs: [RequestedOutput]?

    /// Parses `body`; `headerLength` is the `Inference-Header-Content-Length` value as sent (nil without one).
    init(body: [UInt8], headerLength: String?) throws(InvocationFailure) {
        var jsonRange = 0..<body.count
        if let headerLength {
            guard let length = Int(headerLength.trimmingCharacters(in: .whitespaces)), length >= 0 else {
                throw Self.bad("bad_header_length", "Inference-Header-Content-Length must be a whole number of bytes, got '\(headerLength)'")
            }
            guard length <= body.count else {
                throw Self.bad(
                    "bad_header_length",
                    "Inference-Header-Content-Length is \(length) bytes but the body has only \(body.count)")
            }
            jsonRange = 0..<length
        }
        let binaryRange = jsonRange.upperBound..<body.count
        guard !jsonRange.isEmpty else {
            throw Self.bad("empty_body", "the request has no JSON header; send {\"inputs\": [...]}")
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body, range: jsonRange)
        } catch {
            let found = error.offset < body.count ? body[error.offset] : 0
            let hint = found == UInt8(ascii: "N") || found == UInt8(ascii: "I")
                ? " (NaN and Infinity are not JSON numbers: send such tensors with the binary extension)" : ""
            throw Self.bad("malformed_json", "the inference request is not JSON: \(error.message)\(hint)")
        }
        guard document.objectMembers != nil else {
            throw Self.bad("bad_request", "the inference request must be a JSON object with an \"inputs\" array")
        }
        if let id = document["id"] {
            guard let text = id.stringValue else { throw Self.bad("bad_request", "\"id\" must be a string, got \(id)") }
            self.id = text
        }
        if let parameters = document["parameters"] {
            guard parameters.objectMembers != nil else {
                throw Self.bad("bad_request", "\"parameters\" must be an object, got \(parameters)")
            }
            binaryOutputByDefault = try Self.flag(parameters["binary_data_output"], "parameters.binary_data_output") ?? false
        }
        guard case .array(let inputList)? = document["inputs"], !inputList.isEmpty else {
            throw Self.bad("bad_request", "the inference request needs a non-empty \"inputs\" array")
        }
        var offset = binaryRange.lowerBound
        var seen: Set<String> = []
        for (index, entry) in inputList.enumerated() {
            let input = try Self.input(entry, index: index, offset: &offset, binaryEnd: binaryRange.upperBound)
            guard seen.insert(input.name).inserted else {
                throw Self.bad("duplicate_input", "input '\(input.name)' is given twice")
            }
            inputs.append(input)
        }
        guard offset == binaryRange.upperBound else {
            throw Self.bad(
                "binary_size_mismatch",
                "\(binaryRange.count) bytes of binary data follow the JSON header, but the inputs' binary_data_size "
                    + "add up to \(offset - binaryRange.lowerBound)")
        }
        if let outputList = document["outputs"] {
            guard case .array(let entries) = outputList else {
                throw Self.bad("bad_request", "\"outputs\" must be an array, got \(outputList)")
            }
            var requested: [RequestedOutput] = []
            for entry in entries {
                guard let name = entry["name"]?.stringValue else {
                    throw Self.bad("bad_request", "each requested output needs a \"name\" string")
                }
                guard !requested.contains(where: { $0.name == name }) else {
                    throw Self.bad("duplicate_output", "output '\(name)' is requested twice")
                }
                var binary: Bool?
                if let parameters = entry["parameters"] {
                    if parameters["classification"] != nil {
                        throw Self.bad("unsupported_parameter", "output '\(name)': the classification extension is not supported")
                    }
                    binary = try Self.flag(parameters["binary_data"], "output '\(name)' parameters.binary_data")
                }
                requested.append(RequestedOutput(name: name, binary: binary))
            }
            outputs = requested
        }
    }

    /// One entry of `inputs`; a binary input's bytes are the next `binary_data_size` after `offset`.
    private static func input(
        _ entry: JSONValue, index: Int, offset: inout Int, binaryEnd: Int
    ) throws(InvocationFailure) -> Input {
        guard entry.objectMembers != nil else { throw bad("bad_request", "inputs[\(index)] must be an object") }
        guard let name = entry["name"]?.stringValue else { throw bad("bad_request", "inputs[\(index)] needs a \"name\" string") }
        guard let datatype = entry["datatype"]?.stringValue else {
            throw bad("bad_request", "input '\(name)' needs a \"datatype\" string")
        }
        guard case .array(let dims)? = entry["shape"] else {
            throw bad("bad_request", "input '\(name)' needs a \"shape\" array")
        }
        var shape: [Int] = []
        for dim in dims {
            guard let number = dim.numberValue, let size = Int(exactly: number), size >= 0 else {
                throw bad("bad_shape", "input '\(name)': shape dimensions must be whole numbers >= 0, got \(dim)")
            }
            shape.append(size)
        }
        var binarySize: Int?
        if let parameters = entry["parameters"] {
            guard parameters.objectMembers != nil else { throw bad("bad_request", "input '\(name)': \"parameters\" must be an object") }
            if let size = parameters["binary_data_size"] {
                guard let number = size.numberValue, let bytes = Int(exactly: number), bytes >= 0 else {
                    throw bad("bad_binary_size", "input '\(name)': binary_data_size must be a whole number >= 0, got \(size)")
                }
                binarySize = bytes
            }
        }
        if let binarySize {
            guard entry["data"] == nil else {
                throw bad("bad_request", "input '\(name)' has both \"data\" and parameters.binary_data_size; send one")
            }
            guard binarySize <= binaryEnd - offset else {
                throw bad(
                    "binary_size_mismatch",
                    "input '\(name)': binary_data_size \(binarySize) runs past the end of the body "
                        + "(\(binaryEnd - offset) bytes of binary data are left for it)")
            }
            let range = offset..<(offset + binarySize)
            offset += binarySize
            return Input(name: name, datatype: datatype, shape: shape, elements: .binary(range))
        }
        guard let data = entry["data"] else {
            throw bad("bad_request", "input '\(name)' has neither \"data\" nor parameters.binary_data_size")
        }
        return Input(name: name, datatype: datatype, shape: shape, elements: .json(data))
    }

    private static func flag(_ value: JSONValue?, _ what: String) throws(InvocationFailure) -> Bool? {
        switch value {
        case nil: return nil
        case .bool(let flag)?: return flag
        case let other?: throw bad("bad_request", "\(what) must be true or false, got \(other)")
        }
    }

    /// The caller's mistake, as the core reports it (answered 400 with the message).
    static func bad(_ code: String, _ message: String) -> InvocationFailure {
        .badInput(PayloadError(code: code, message: message))
    }
}
