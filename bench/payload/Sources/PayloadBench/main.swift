import Foundation
import TandemONNX
import TandemServing

/// Times the payload codecs on a breast-cancer batch: decoding a 100-row body (30 float columns) as CSV, JSON
/// and JSON Lines, running the model on it, and encoding its answer as JSON and CSV. Prints one JSON object of
/// microseconds per request (the median of `--rounds` rounds of `--iterations` calls each).
///
/// Usage: PayloadBench <model-dir> [--rows 100] [--iterations 2000] [--rounds 7]
struct Options {
    var dir = ""
    var rows = 100
    var iterations = 2_000
    var rounds = 7

    init(_ arguments: [String]) {
        var args = arguments.dropFirst().makeIterator()
        while let a = args.next() {
            switch a {
            case "--rows": rows = Int(args.next() ?? "") ?? rows
            case "--iterations": iterations = Int(args.next() ?? "") ?? iterations
            case "--rounds": rounds = Int(args.next() ?? "") ?? rounds
            default: dir = a
            }
        }
    }
}
let options = Options(CommandLine.arguments)
let dir = options.dir, rows = options.rows
guard !dir.isEmpty else {
    FileHandle.standardError.write(Data("usage: PayloadBench <model-dir> [--rows N] [--iterations N] [--rounds N]\n".utf8))
    exit(2)
}

let model = try ONNXModel(contentsOf: dir + "/model.onnx")
let lines = try String(contentsOfFile: dir + "/input.csv", encoding: .utf8).split(separator: "\n").map(String.init)
let batch = (0..<rows).map { lines[$0 % lines.count] }
let csv = Array((batch.joined(separator: "\n") + "\n").utf8)
let json = Array(("{\"instances\":[" + batch.map { "[" + $0 + "]" }.joined(separator: ",") + "]}").utf8)
let jsonLines = Array(batch.map { "[" + $0 + "]\n" }.joined().utf8)
let inputs = model.signature.inputs

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Median microseconds per call of `body`.
func measure(iterations: Int = options.iterations, rounds: Int = options.rounds, _ body: () throws -> Int) rethrows -> Double {
    var sink = 0
    for _ in 0..<max(iterations / 10, 1) { sink &+= try body() }  // warm-up
    var samples: [Double] = []
    for _ in 0..<rounds {
        let start = now()
        for _ in 0..<iterations { sink &+= try body() }
        samples.append(Double(now() - start) / Double(iterations) / 1_000)
    }
    if sink == 42 { print("") }  // keeps the work observable
    return samples.sorted()[samples.count / 2]
}

let decoded = try RequestDecoder.decode(csv, format: .csv, inputs: inputs)
let outputs = try model.run(decoded.feeds)
var results: [(String, Double)] = []
results.append(("decode_csv_us", try measure { try RequestDecoder.decode(csv, format: .csv, inputs: inputs).rows }))
results.append(("decode_json_us", try measure { try RequestDecoder.decode(json, format: .json, inputs: inputs).rows }))
results.append(("decode_jsonl_us", try measure { try RequestDecoder.decode(jsonLines, format: .jsonLines, inputs: inputs).rows }))
results.append(("model_us", try measure { try model.run(decoded.feeds).count }))
results.append(("encode_json_us", try measure {
    try ResponseEncoder.encode(outputs, signature: model.signature, rows: rows, format: .json).count
}))
results.append(("encode_csv_us", try measure {
    try ResponseEncoder.encode(outputs, signature: model.signature, rows: rows, format: .csv).count
}))
let jsonBody = try ResponseEncoder.encode(outputs, signature: model.signature, rows: rows, format: .json)
let csvBody = try ResponseEncoder.encode(outputs, signature: model.signature, rows: rows, format: .csv)
// A digest of the bodies, so a before/after run shows the bytes did not change.
var hash: UInt64 = 0xcbf29ce484222325
for byte in jsonBody + csvBody { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
print("{" + results.map { "\"\($0.0)\":\(($0.1 * 100).rounded() / 100)" }.joined(separator: ",")
    + ",\"rows\":\(rows),\"body_fnv1a\":\"\(String(hash, radix: 16))\"}")
