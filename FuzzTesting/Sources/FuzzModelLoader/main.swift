import FuzzSupport
import TandemONNX

/// libFuzzer entry point: any byte string must either load (and then run on a zero batch
/// without crashing) or fail with `ONNXLoadError` / `ONNXRunError`; traps and sanitizer
/// reports are bugs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let model = try? ONNXModel(bytes: bytes) else { return 0 }
    // Exercise the kernels too: zeros (or empty strings) in each input's declared shape, unknown
    // dimensions as 1 (a batch of one row), at most 4096 elements.
    var feeds: [String: Tensor] = [:]
    for input in model.signature.inputs {
        var shape = input.shape.map { min(max($0 ?? 1, 0), 4096) }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            count = overflow ? Int.max : product
        }
        if count > 4096 {
            shape = [1, min(max(input.featureCount ?? 1, 1), 4096)]
            count = shape[1]
        }
        feeds[input.name] = Tensor(shape: shape, data: .zeros(input.elementType, count: count))
    }
    _ = try? model.run(feeds)
    return 0
}

// The executable's entry point (see FuzzSupport.runLibFuzzer).
@_cdecl("FuzzModelLoader_main")
public func fuzzModelLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzModelLoader(data, size) }
}
