import FuzzSupport
import TandemONNX

/// libFuzzer entry point: any byte string must either load (and then run on a zero batch
/// without crashing) or fail with `ONNXLoadError` / `ONNXRunError`; traps and sanitizer
/// reports are bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let model = try? ONNXModel(bytes: bytes) else { return 0 }
    // Exercise the kernels too: one row of zeros (or empty strings) per input.
    var feeds: [String: Tensor] = [:]
    for input in model.signature.inputs {
        let width = min(max(input.featureCount ?? 1, 1), 4096)
        let shape = input.shape.count == 2 ? [1, width] : [width]
        feeds[input.name] = Tensor(shape: shape, data: .zeros(input.elementType, count: width))
    }
    _ = try? model.run(feeds)
    return 0
}

// The executable's entry point (see FuzzSupport.runLibFuzzer).
@_cdecl("FuzzModelLoader_main")
public func fuzzModelLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzModelLoader(data, size) }
}
