import Foundation
import TandemONNX

/// Measures TandemONNX on one zoo model and prints one JSON object:
/// single-row latency (median, p99 over `--calls` calls after warm-up, cycling through the
/// model's input.csv rows) and `--batch`-row batch throughput (rows/s).
///
/// Usage: RuntimeBench <model-dir> [--calls 10000] [--batch 1000] [--batch-seconds 3]
struct Options {
    var dir = ""
    var calls = 10_000
    var batch = 1_000
    var batchSeconds = 3.0

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            let a = args[i]
            let next = i + 1 < args.count ? args[i + 1] : ""
            switch a {
            case "--calls": calls = Int(next) ?? calls; i += 1
            case "--batch": batch = Int(next) ?? batch; i += 1
            case "--batch-seconds": batchSeconds = Double(next) ?? batchSeconds; i += 1
            default: dir = a
            }
            i += 1
        }
    }
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

let options = Options(CommandLine.arguments)
guard !options.dir.isEmpty else {
    FileHandle.standardError.write(Data("usage: RuntimeBench <model-dir> [--calls N] [--batch N]\n".utf8))
    exit(2)
}
let dir = URL(fileURLWithPath: options.dir)
let model = try ONNXModel(contentsOf: dir.appendingPathComponent("model.onnx").path)
let text = try String(contentsOf: dir.appendingPathComponent("input.csv"), encoding: .utf8)
guard let input = model.signature.inputs.first, model.signature.inputs.count == 1 else {
    FileHandle.standardError.write(Data("the benchmark supports single-input models\n".utf8))
    exit(2)
}
// A string input (a text classifier) takes each line as one document; numeric inputs take CSV cells.
let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map(String.init)
func data(_ rows: ArraySlice<String>) -> TensorData {
    if input.elementType == .string { return .string(Array(rows)) }
    return .float(rows.flatMap { line in
        line.split(separator: ",").map { cell in cell.lowercased() == "nan" ? Float.nan : Float(Double(cell) ?? .nan) }
    })
}
let width = input.elementType == .string ? 1 : (lines.first?.split(separator: ",").count ?? 0)
let singles = lines.indices.map { [input.name: Tensor(shape: [1, width], data: data(lines[$0...$0]))] }
let batchRows = (0..<options.batch).map { lines[$0 % lines.count] }
let batchFeed = [input.name: Tensor(shape: [options.batch, width], data: data(batchRows[...]))]

// Warm-up.
for i in 0..<1_000 { _ = try model.run(singles[i % singles.count]) }
_ = try model.run(batchFeed)

// Single-row latency.
var latencies = [UInt64](repeating: 0, count: options.calls)
for i in 0..<options.calls {
    let start = now()
    _ = try model.run(singles[i % singles.count])
    latencies[i] = now() - start
}
latencies.sort()
let median = Double(latencies[latencies.count / 2]) / 1_000
let p99 = Double(latencies[min(latencies.count - 1, latencies.count * 99 / 100)]) / 1_000

/// This process's CPU time in seconds (user + system): on a shared machine the batch figure per CPU
/// second is not diluted by the time the scheduler gives other processes.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// Batch throughput.
var iterations = 0
let batchCPUStart = cpuSeconds()
let batchStart = now()
var elapsed = 0.0
repeat {
    _ = try model.run(batchFeed)
    iterations += 1
    elapsed = Double(now() - batchStart) / 1e9
} while elapsed < options.batchSeconds || iterations < 3
let rowsPerSecond = Double(iterations * options.batch) / elapsed
let rowsPerCPUSecond = Double(iterations * options.batch) / max(cpuSeconds() - batchCPUStart, 1e-9)

let result: [String: Any] = [
    "runtime": "tandem",
    "model": dir.deletingLastPathComponent().lastPathComponent + "/" + dir.lastPathComponent,
    "calls": options.calls,
    "single_row_median_us": (median * 100).rounded() / 100,
    "single_row_p99_us": (p99 * 100).rounded() / 100,
    "batch_rows": options.batch,
    "batch_iterations": iterations,
    "batch_rows_per_s": rowsPerSecond.rounded(),
    "batch_rows_per_cpu_s": rowsPerCPUSecond.rounded(),
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
