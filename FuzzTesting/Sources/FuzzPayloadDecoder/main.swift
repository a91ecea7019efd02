import FuzzSupport
import TandemJSON
import TandemONNX
import TandemServing

/// libFuzzer entry point for the `/invocations` body decoders (CSV, JSON, JSON Lines, `.npy`, RecordIO
/// protobuf), which read every
/// request body a client sends.
///
/// The first input byte picks the format and one of three model signatures (30 floats as the breast-cancer
/// model, a single float, and a multi-input model with a string, floats and an int64); the rest is the
/// body. Any body must decode or throw a `PayloadError` with a 4xx status: a trap, a sanitizer report or
/// a decoded batch whose tensors do not have `rows x features` elements is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayloadDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Selector 0-8 (the first seeds): CSV, JSON, JSON Lines x the 3 signatures; 9 and up: every format
    // (`.npy` and RecordIO protobuf too) x the 3 signatures.
    let selector = Int(bytes[0])
    let formats = PayloadFormat.allCases
    let format = selector < 9 ? formats[selector % 3] : formats[(selector - 9) % formats.count]
    let inputs = signatures[(selector < 9 ? selector / 3 : (selector - 9) / formats.count) % signatures.count]
    do {
        let decoded = try RequestDecoder.decode(Array(bytes.dropFirst()), format: format, inputs: inputs)
        precondition(decoded.rows > 0, "decoded zero records without an error")
        for input in inputs {
            guard let tensor = decoded.feeds[input.name] else { preconditionFailure("no feed for \(input.name)") }
            let width = input.featureCount ?? 1
            precondition(tensor.count == decoded.rows * width,
                         "\(input.name): \(tensor.count) values for \(decoded.rows) rows of \(width)")
        }
    } catch {
        precondition((400..<500).contains(error.status), "payload error with status \(error.status)")
        _ = error.jsonMembers
    }
    // Differential check of the number parser every decoder uses: whatever it accepts, the standard
    // library's correctly rounded parsers read as the same value, bit for bit.
    let cell = Array(bytes.dropFirst())
    if cell.count <= 96 {
        let text = String(decoding: cell, as: UTF8.self)
        if let value = DecimalNumber.parseFloat(cell, 0..<cell.count) {
            precondition(value.bitPattern == Float(text)?.bitPattern, "Float(\(text)) differs: \(value)")
        }
        if let value = DecimalNumber.parseDouble(cell, 0..<cell.count) {
            precondition(value.bitPattern == Double(text)?.bitPattern, "Double(\(text)) differs: \(value)")
        }
    }
    return 0
}

private let signatures: [[ModelSignature.Input]] = [
    [ModelSignature.Input(name: "input", elementType: .float, shape: [nil, 30], featureCount: 30)],
    [ModelSignature.Input(name: "x", elementType: .float, shape: [nil, 1], featureCount: 1)],
    [
        ModelSignature.Input(name: "city", elementType: .string, shape: [nil, 1], featureCount: 1),
        ModelSignature.Input(name: "numbers", elementType: .float, shape: [nil, 3], featureCount: 3),
        ModelSignature.Input(name: "count", elementType: .int64, shape: [nil, 1], featureCount: 1),
    ],
]

// The executable's entry point (see FuzzSupport.runLibFuzzer).
@_cdecl("FuzzPayloadDecoder_main")
public func fuzzPayloadDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzPayloadDecoder(data, size) }
}
