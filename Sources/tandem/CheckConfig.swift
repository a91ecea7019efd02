import ArgumentParser
import Foundation
import TandemServer
import TandemServing

/// `tandem check-config`: validates the repository and the endpoint config and prints the resolved
/// variants with their traffic shares. Exits 1 when the config cannot be served.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the model repository and endpoint config; print the variants and their traffic shares.")

    @OptionGroup var models: ModelOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let source = models.source(environment: environment)
        let report = ConfigCheck.run(source: source, environment: environment, loader: .standard)
        print(report.text, terminator: "")
        if !report.ok { throw ExitCode(1) }
    }
}
