// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harness for TandemONNX's model loader. Build and run with ./run-fuzz.sh.
let package = Package(
    name: "TandemFuzzTesting",
    dependencies: [
        .package(name: "Tandem", path: "../"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzModelLoader",
            dependencies: [.product(name: "TandemONNX", package: "Tandem")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
