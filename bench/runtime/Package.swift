// swift-tools-version:6.0
import PackageDescription

/// Release-mode benchmark of TandemONNX (compare with onnxruntime via ./run.sh).
let package = Package(
    name: "TandemRuntimeBench",
    dependencies: [
        .package(name: "Tandem", path: "../../"),
    ],
    targets: [
        .executableTarget(
            name: "RuntimeBench",
            dependencies: [.product(name: "TandemONNX", package: "Tandem")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
