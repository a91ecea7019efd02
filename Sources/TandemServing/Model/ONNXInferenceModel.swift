import TandemONNX

extension ModelLoader {
    /// Loads ONNX files with Tandem's own runtime.
    public static let standard = ModelLoader { path in
        throw ModelRunError(code: "onnx_unavailable", message: "ONNX runtime not merged yet: \(path)")
    }
}
