// swift-tools-version:6.2
import PackageDescription

/// Layers, bottom to top (each imports only what is below it):
///   CLibevent      system library module for Debian's libevent 2.1 (headers only)
///   TandemJSON     pure Swift, no dependencies: the one JSON writer and reader, the error body, and the
///                  correctly rounded number parsing (Eisel-Lemire) and shortest number printing they use
///   TandemIO       the only Swift target that touches C: event loops, sockets, timers, signals
///   CBLAS          system library module for Debian's OpenBLAS (libopenblas-dev)
///   TandemBLAS     the only Swift target that calls BLAS: safe sgemm/dgemm wrappers
///   TandemHTTP     pure Swift HTTP/1.1: incremental parser, response encoder, connection handling
///   TandemONNX     pure Swift ONNX runtime (no HTTP, no C; dense products via TandemBLAS)
///   TandemServing  models, worker pool, payload codecs, variants, metrics, health (no HTTP, no C)
///   TandemServer   routes and the composition root
///   TandemTestSupport  the serving stack driven in-process without sockets (test targets only)
///   TandemTraining `tandem train`: SageMaker's training contract, boosted trees and linear models, ONNX export (Foundation only)
///   tandem         the command-line executable
let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v26)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .library(name: "TandemONNX", targets: ["TandemONNX"]),
        // For the fuzz harnesses in FuzzTesting/ (a separate package, so sanitizer builds stay apart).
        .library(name: "TandemHTTP", targets: ["TandemHTTP"]),
        .library(name: "TandemServing", targets: ["TandemServing"]),
        .library(name: "TandemJSON", targets: ["TandemJSON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent_pthreads",
            providers: [.apt(["libevent-dev"])]
        ),
        .target(name: "TandemJSON"),
        .target(
            name: "TandemIO",
            dependencies: ["CLibevent"]
        ),
        .target(
            name: "TandemHTTP",
            dependencies: [
                "TandemIO",
                "TandemJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // OpenBLAS for Gemm/MatMul/Conv: a hand-written Swift kernel cannot match a tuned BLAS on
        // large products (issue 8, item 5: batch throughput on par with onnxruntime's MLAS).
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "TandemBLAS",
            dependencies: ["CBLAS"]
        ),
        .target(
            name: "TandemONNX",
            dependencies: [
                "TandemBLAS",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "TandemServing",
            dependencies: [
                "TandemONNX",
                "TandemJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),  // the RecordIO `Record` payloads
            ]
        ),
        .target(
            name: "TandemServer",
            dependencies: [
                "TandemIO",
                "TandemHTTP",
                "TandemServing",
                "TandemJSON",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),  // the series computed at scrape time
            ]
        ),
        // Drives the whole serving stack in-process, without sockets, for the Swift tests of the core.
        .target(
            name: "TandemTestSupport",
            dependencies: [
                "TandemServer",
                "TandemHTTP",
                "TandemIO",
                "TandemServing",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TandemTraining"),
        .executableTarget(
            name: "tandem",
            dependencies: [
                "TandemServer",
                "TandemONNX",
                "TandemServing",
                "TandemTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TandemJSONTests", dependencies: ["TandemJSON"]),
        .testTarget(name: "TandemIOTests", dependencies: ["TandemIO"]),
        .testTarget(
            name: "TandemHTTPTests",
            dependencies: ["TandemHTTP", "TandemIO", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "TandemONNXTests",
            dependencies: ["TandemONNX", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "TandemServingTests", dependencies: ["TandemServing", "TandemONNX", "TandemJSON"]),
        .testTarget(
            name: "TandemServerTests",
            dependencies: [
                "TandemServer", "TandemTestSupport", "TandemHTTP", "TandemServing", "TandemJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TandemTrainingTests", dependencies: ["TandemTraining", "TandemONNX"]),
    ],
    swiftLanguageModes: [.v6]
)
