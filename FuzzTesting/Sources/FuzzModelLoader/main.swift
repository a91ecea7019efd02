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
        switch input.elementType {
        case .string: feeds[input.name] = Tensor(shape: shape, data: .string(Array(repeating: "", count: width)))
        case .int64: feeds[input.name] = Tensor(shape: shape, data: .int64(Array(repeating: 0, count: width)))
        case .int32: feeds[input.name] = Tensor(shape: shape, data: .int32(Array(repeating: 0, count: width)))
        case .bool: feeds[input.name] = Tensor(shape: shape, data: .bool(Array(repeating: false, count: width)))
        case .double: feeds[input.name] = Tensor(shape: shape, data: .double(Array(repeating: 0, count: width)))
        case .float: feeds[input.name] = Tensor(shape: shape, data: .float(Array(repeating: 0, count: width)))
        }
    }
    _ = try? model.run(feeds)
    return 0
}

// SwiftPM links executables with `main` aliased to `<Module>_main`; with -parse-as-library
// there is no generated main, so provide that symbol and hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzModelLoader_main")
public func fuzzModelLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments) { data, size in fuzzModelLoader(data, size) }
}
