import ArgumentParser
import Foundation
import TandemServer
import TandemTraining

/// `tandem train`: what SageMaker runs for a training job (`docker run IMAGE train`).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model under SageMaker's training contract (/opt/ml/input → /opt/ml/model).",
        discussion: """
            Reads input/config/hyperparameters.json (XGBoost's names: objective, num_round, max_depth, eta, \
            booster, ...), the train and optional validation channels (text/csv label first, or text/libsvm) \
            and writes model/model.onnx with model/tandem-model.json; `tandem serve` serves that directory. \
            On failure the reason goes to output/failure and the exit status is 1. See docs/training.md.
            """)

    @Option(name: .long, help: "The SageMaker root holding input/, model/, output/ and checkpoints/.")
    var mlRoot: String = "/opt/ml"

    @Option(name: .long, help: ArgumentHelp("Memory to plan for, in bytes (default: what the machine or container has).", visibility: .hidden))
    var memoryLimit: Int?

    func run() throws {
        let job = TrainingJob(
            paths: MLPaths(root: mlRoot), version: TandemVersion.string, memoryLimit: memoryLimit,
            emit: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
            note: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        let code = job.run()
        if code != 0 { throw ExitCode(code) }
    }
}
