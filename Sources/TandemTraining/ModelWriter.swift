import Foundation

/// Writes the model directory: `model.onnx` and `tandem-model.json` (hyperparameters, data shape,
/// metrics of the kept round, Tandem's version).
struct ModelWriter {
    let paths: MLPaths
    let version: String

    struct Shape: Codable {
        var trainRows: Int
        var validationRows: Int
        var features: Int
        /// 0 for regression.
        var classes: Int
    }

    struct Metadata: Codable {
        var tandemVersion: String
        var format = "onnx"
        var artifact = "model.onnx"
        var booster: String
        var objective: String
        var hyperparameters: [String: String]
        var data: Shape
        var rounds: Int
        var trees: Int?
        var metrics: [String: Double]
        var trainingSeconds: Double
        var input: String
        var outputs: [String]
    }

    static let metadataFile = "tandem-model.json"

    func write(
        _ model: TrainedModel, params: Hyperparameters, hyperparameters: [String: String], shape: Shape,
        metrics: [String: Double], bestRound: Int, seconds: Double
    ) throws(TrainingError) {
        let onnx = ONNXExport.model(model, objective: params.objective, version: version)
        var trees: Int?
        if case .trees(let m) = model { trees = m.trees.count }
        let metadata = Metadata(
            tandemVersion: version, booster: params.booster.rawValue, objective: params.objective.rawValue,
            hyperparameters: hyperparameters, data: shape, rounds: bestRound + 1, trees: trees,
            metrics: metrics.filter { $0.value.isFinite }, trainingSeconds: (seconds * 1000).rounded() / 1000,
            input: "\(onnx.inputName) float[N, \(shape.features)]", outputs: onnx.outputs.map(\.name))
        do {
            try FileManager.default.createDirectory(atPath: paths.model, withIntermediateDirectories: true)
            try Data(onnx.serialized()).write(to: URL(fileURLWithPath: paths.model + "/model.onnx"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            try encoder.encode(metadata).write(to: URL(fileURLWithPath: paths.model + "/" + Self.metadataFile))
        } catch {
            throw TrainingError("cannot write the model to \(paths.model): \(error.localizedDescription)")
        }
    }
}
