import ArgumentParser
import Foundation
import TandemONNX

/// `tandem inspect`: prints a model's declared signature, its opset imports and every operator with
/// its count and whether Tandem implements it; then whether the model loads, and why not.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's signature, opset imports and operators, and whether Tandem can serve it.")

    @Argument(help: "The ONNX model file.")
    var model: String

    func run() throws {
        let inspection: ModelInspection
        do {
            inspection = try ModelInspection(contentsOf: model)
        } catch {
            throw Failure("\(error)")
        }
        var lines: [String] = []
        lines.append("model: \(model)")
        lines.append("ir_version: \(inspection.irVersion)  producer: \(inspection.producer.isEmpty ? "-" : inspection.producer)")
        lines.append("opset imports: " + inspection.opsetImports.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("inputs:")
        for p in inspection.inputs { lines.append("  \(p.name): \(p.type)") }
        lines.append("outputs:")
        for p in inspection.outputs { lines.append("  \(p.name): \(p.type)") }
        lines.append("operators:")
        let width = inspection.operators.map { $0.domain.count + $0.opType.count + 1 }.max() ?? 0
        for op in inspection.operators {
            let name = "\(op.domain).\(op.opType)"
            let pad = String(repeating: " ", count: max(0, width - name.count))
            lines.append("  \(name)\(pad)  x\(op.count)  \(op.unsupportedReason.map { "UNSUPPORTED: \($0)" } ?? "supported")")
        }
        do {
            let loaded = try ONNXModel(contentsOf: model)
            lines.append("loads: yes (task: \(loaded.signature.task.rawValue))")
            print(lines.joined(separator: "\n"))
        } catch {
            lines.append("loads: no: \(error)")
            print(lines.joined(separator: "\n"))
            throw ExitCode(1)
        }
    }
}
