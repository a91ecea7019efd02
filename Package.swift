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
///   CSQLite, CLibpq system library modules for Debian's SQLite 3 and libpq (PostgreSQL's C client)
///   TandemLedgerStore  the only Swift target that calls SQLite or libpq: safe SQL connections
///   TandemServing  models, worker pool, payload codecs, variants, metrics, health (no HTTP, no C)
///   CZlib          system library module for zlib (zlib1g-dev), gunzipping model.tar.gz
///   TandemArchive  safe model.tar.gz extraction (tar reader + zlib inflate; refuses escapes, devices, bombs),
///                  and bounded inflation of gzip/deflate request bodies
///   TandemServer   routes and the composition root
///   TandemTestSupport  the serving stack driven in-process without sockets (test targets only)
///   TandemTraining `tandem train`: SageMaker's training contract, boosted trees and linear models, ONNX export (Foundation only)
///   tandem         the command-line executable

/// TandemONNX's dense math (SIMD erf/exp, the fused element-wise passes, Softmax) is compiled for
/// x86-64-v3 (AVX2, FMA; every x86 server CPU since 2013; the Swift frontend and its clang importer
/// take this level as the CPU name `haswell`, not `x86-64-v3`) on x86-64 hosts: 8-lane vectors instead
/// of SSE2's 4 (docs/runtime.md, "Instruction set"). `tandem` checks the CPU at start and refuses
/// to run, with a message, on one without it. `TANDEM_BASELINE_CPU=1 swift build` builds for
/// baseline x86-64 instead.
#if arch(x86_64)
let buildsForV3 = Context.environment["TANDEM_BASELINE_CPU"] != "1"
#else
let buildsForV3 = false
#endif
let onnxCPU: [SwiftSetting] = buildsForV3 ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
/// Tells `tandem` to check the CPU before it touches TandemONNX.
let cpuCheck: [SwiftSetting] = buildsForV3 ? [.define("TANDEM_X86_64_V3")] : []

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
        // The experiment ledger's databases (issue 15, item 4): SQLite in a file by default, PostgreSQL for
        // several replicas. Debian's C clients are well kept and build in seconds; postgres-nio would pull
        // SwiftNIO into every build (minutes of CI per run) for one connection on a background thread.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibpq",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "TandemLedgerStore",
            dependencies: ["CSQLite", "CLibpq"]
        ),
        .target(
            name: "TandemONNX",
            dependencies: [
                "TandemBLAS",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: onnxCPU
        ),
        .target(
            name: "TandemServing",
            dependencies: [
                "TandemONNX",
                "TandemJSON",
                "TandemLedgerStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),  // the RecordIO `Record` payloads
            ]
        ),
        // zlib for model.tar.gz artifacts (multi-model endpoints) and compressed OIP request bodies: inflate
        // is the one call, from Sources/TandemArchive/GzipStream.swift.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "TandemArchive",
            dependencies: ["CZlib"]
        ),
        .target(
            name: "TandemServer",
            dependencies: [
                "TandemArchive",
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
            ],
            swiftSettings: cpuCheck
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
                "TandemServer", "TandemTestSupport", "TandemHTTP", "TandemServing", "TandemJSON", "TandemONNX",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TandemArchiveTests", dependencies: ["TandemArchive"]),
        .testTarget(name: "TandemTrainingTests", dependencies: ["TandemTraining", "TandemONNX"]),
        .testTarget(name: "TandemLedgerStoreTests", dependencies: ["TandemLedgerStore"]),
    ],
    swiftLanguageModes: [.v6]
)
