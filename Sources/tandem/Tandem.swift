import ArgumentParser
import Foundation
import Logging
import TandemServer
import TandemServing

/// `tandem`: the Tandem inference server's command line.
@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A SageMaker-compatible inference server that hosts versioned models side by side for A/B tests.",
        version: TandemVersion.string,
        subcommands: [Serve.self, CheckConfig.self, Train.self, Run.self, Inspect.self],
        defaultSubcommand: Serve.self)

    /// Checks the CPU before anything runs TandemONNX (CPUSupport), then parses and runs the command.
    static func main() async {
        CPUSupport.exitUnlessSupported()
        await main(nil)
    }
}

/// Options shared by `serve` and `check-config`: where the models come from.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A model directory: model.onnx, synthetic.yaml, or endpoint.yaml plus a repository (default: $SM_MODEL_DIR, then /opt/ml/model, then the bundled config/endpoint.yaml).")
    var modelDir: String?

    @Option(name: .long, help: "An endpoint config file (YAML); its 'repository' names the model repository (default: none; --model-dir decides).")
    var config: String?

    func source(environment: [String: String]) -> ModelSource {
        ModelSource.resolve(config: config, modelDirectory: modelDir, environment: environment)
    }
}
