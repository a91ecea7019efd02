// swift-tools-version:6.0
import PackageDescription
import class Foundation.ProcessInfo

/// Release-mode micro benchmark of the /invocations payload codecs (run.sh). TANDEM_ROOT points it at another
/// checkout of Tandem (the "before" side of a comparison); by default it builds against this one.
let root = ProcessInfo.processInfo.environment["TANDEM_ROOT"] ?? "../../"

let package = Package(
    name: "TandemPayloadBench",
    dependencies: [
        .package(name: "Tandem", path: root),
    ],
    targets: [
        .executableTarget(
            name: "PayloadBench",
            dependencies: [
                .product(name: "TandemONNX", package: "Tandem"),
                .product(name: "TandemServing", package: "Tandem"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
