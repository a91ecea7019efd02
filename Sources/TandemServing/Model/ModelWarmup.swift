import Foundation
import TandemONNX

/// Runs a freshly loaded model before it may take traffic, so that a version which loads but cannot answer
/// fails its load (its variant is `failed` with the reason, and a reload that brings it is refused) instead
/// of failing requests.
///
/// With `warmup.csv`, `warmup.json` or `warmup.jsonl` in the version directory (known-good sample requests,
/// like TF Serving's warm-up records in `assets.extra`), every record must decode, run and give one output
/// per record: any error fails the load. Without one, the model runs on one zero-valued row (0, 0.0, false,
/// ""): the model may refuse that input (an unknown category is the client's fault, and the ONNX runtime
/// reports every operator failure that way), but any other failure, or outputs that do not hold one entry
/// per row, fail the load.
public enum ModelWarmup {
    /// Warm-up request files, looked for in this order.
    public static let files: [(name: String, format: PayloadFormat)] = [
        ("warmup.csv", .csv), ("warmup.json", .json), ("warmup.jsonl", .jsonLines),
    ]

    public static func run(_ model: any InferenceModel, directory: String) throws(ConfigError) {
        for file in files {
            let path = directory + "/" + file.name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError("\(path): cannot be read")
            }
            do {
                let decoded = try RequestDecoder.decode(Array(data), format: file.format, inputs: model.signature.inputs)
                let outputs = try model.predict(decoded.feeds, rows: decoded.rows)
                _ = try PredictionTable(outputs: outputs, signature: model.signature, rows: decoded.rows)
            } catch {
                throw ConfigError("\(path): the warm-up request failed: \(describe(error))")
            }
            return
        }
        let outputs: [String: Value]
        do {
            outputs = try model.predict(zeroRow(model.signature.inputs), rows: 1)
        } catch let error as ModelRunError where error.isClientError {
            return
        } catch {
            throw ConfigError("\(directory): the model loaded but failed a warm-up run on one zero-valued row: \(describe(error))")
        }
        do {
            _ = try PredictionTable(outputs: outputs, signature: model.signature, rows: 1)
        } catch {
            throw ConfigError("\(directory): the model loaded but its warm-up run on one row gave unusable outputs: \(error.message)")
        }
    }

    /// One row of zeros (or empty strings, or false) per input, shaped `[1, features]` as the decoders shape feeds.
    static func zeroRow(_ inputs: [ModelSignature.Input]) -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for input in inputs {
            let width = max(input.featureCount ?? 1, 1)
            feeds[input.name] = Tensor(shape: [1, width], data: .zeros(input.elementType, count: width))
        }
        return feeds
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PayloadError: error.message
        case let error as ModelRunError: error.message
        default: "\(error)"
        }
    }
}
