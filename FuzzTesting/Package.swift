// swift-tools-version:6.0
import PackageDescription

/// libFuzzer harnesses for the code that reads untrusted bytes: the ONNX model loader, the HTTP request
/// parser and the `/invocations` body decoders. Build and run with ./run-fuzz.sh.
let package = Package(
    name: "TandemFuzzTesting",
    dependencies: [
        .package(name: "Tandem", path: "../"),
    ],
    targets: [
        // The entry point every harness shares: hands control to libFuzzer's driver.
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "FuzzModelLoader",
            dependencies: ["FuzzSupport", .product(name: "TandemONNX", package: "Tandem")]
        ),
        .executableTarget(
            name: "FuzzHTTPParser",
            dependencies: ["FuzzSupport", .product(name: "TandemHTTP", package: "Tandem")]
        ),
        .executableTarget(
            name: "FuzzPayloadDecoder",
            dependencies: [
                "FuzzSupport",
                .product(name: "TandemServing", package: "Tandem"),
                .product(name: "TandemONNX", package: "Tandem"),
                .product(name: "TandemJSON", package: "Tandem"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
