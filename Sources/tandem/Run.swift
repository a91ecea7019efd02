import ArgumentParser
import Foundation
import TandemONNX
import TandemServing

/// `tandem run`: runs one model without a server, the way people check a model before deploying it.
///
/// With `--inputs DIR` it reads `input_0.pb`, `input_1.pb`, ... (ONNX `TensorProto` files, the
/// layout of the ONNX backend tests) in graph-input order and writes `output_0.pb`, ... in
/// graph-output order to `--output-dir`. With `--csv FILE` or `--json FILE` it decodes the file as
/// `/invocations` would and prints the body `/invocations` would answer.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on inputs without a server: TensorProto files in and out, or a CSV/JSON request.")

    @Argument(help: "The ONNX model file.")
    var model: String

    @Option(name: .long, help: "A directory of input_0.pb, input_1.pb, ... (TensorProto), in graph-input order.")
    var inputs: String?

    @Option(name: .long, help: "Where to write output_0.pb, ... in graph-output order (with --inputs).")
    var outputDir: String?

    @Option(name: .long, help: "A CSV request body (one record per line, no header).")
    var csv: String?

    @Option(name: .long, help: "A JSON request body, as /invocations takes it.")
    var json: String?

    @Option(name: .long, help: "The answer's format for --csv/--json: application/json (default), text/csv or application/jsonlines.")
    var accept: String = "application/json"

    func validate() throws {
        let modes = [inputs != nil, csv != nil, json != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of --inputs, --csv or --json") }
        if inputs != nil, outputDir == nil { throw ValidationError("--inputs needs --output-dir") }
        if inputs == nil, outputDir != nil { throw ValidationError("--output-dir goes with --inputs") }
    }

    func run() throws {
        let loaded: ONNXModel
        do {
            loaded = try ONNXModel(contentsOf: model)
        } catch {
            throw Failure("\(error)")
        }
        if let inputs, let outputDir {
            try runTensors(loaded, inputs: inputs, outputDir: outputDir)
        } else if let path = csv ?? json {
            try runRequest(loaded, body: path, format: csv != nil ? .csv : .json)
        }
    }

    private func runTensors(_ loaded: ONNXModel, inputs: String, outputDir: String) throws {
        let names = loaded.signature.inputs.map(\.name)
        var feeds: [String: Tensor] = [:]
        var index = 0
        while true {
            let path = (inputs as NSString).appendingPathComponent("input_\(index).pb")
            guard let data = FileManager.default.contents(atPath: path) else { break }
            guard index < names.count else {
                throw Failure("\(path): the model has only \(names.count) input(s) (\(names.joined(separator: ", ")))")
            }
            do {
                feeds[names[index]] = try TensorProtoFile.decode([UInt8](data)).tensor
            } catch {
                throw Failure("\(path): \(error)")
            }
            index += 1
        }
        let outputs: [String: Value]
        do {
            outputs = try loaded.run(feeds)
        } catch {
            throw Failure("\(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        } catch {
            throw Failure("cannot create \(outputDir): \(error.localizedDescription)")
        }
        for (i, output) in loaded.signature.outputs.enumerated() {
            guard case .tensor(let tensor)? = outputs[output.name] else {
                throw Failure("output '\(output.name)' is not a tensor; only tensor outputs can be written as TensorProto files")
            }
            let path = (outputDir as NSString).appendingPathComponent("output_\(i).pb")
            let bytes = try TensorProtoFile.encode(tensor, name: output.name)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw Failure("cannot write \(path)")
            }
        }
    }

    private func runRequest(_ loaded: ONNXModel, body path: String, format: PayloadFormat) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        guard let answer = PayloadFormat(mediaType: accept) else {
            throw Failure("--accept \(accept) is not one of application/json, text/csv, application/jsonlines")
        }
        let model = ONNXInferenceModel(model: loaded)
        do {
            let decoded = try RequestDecoder.decode([UInt8](data), format: format, inputs: loaded.signature.inputs)
            let outputs = try model.predict(decoded.feeds, rows: decoded.rows)
            let body = try ResponseEncoder.encode(outputs, signature: loaded.signature, rows: decoded.rows, format: answer)
            FileHandle.standardOutput.write(Data(body))
            if answer == .json { FileHandle.standardOutput.write(Data("\n".utf8)) }
        } catch {
            throw Failure("\(error)")
        }
    }
}

/// A command failure: printed as `tandem: <message>` on standard error, exit status 1.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
