import Foundation
import Testing
@testable import TandemONNX

/// Every zoo model and version against onnxruntime's expected outputs, every row (data, edge
/// and NaN rows), run as one batch and row by row. Labels must match exactly; scores within
/// 1e-5 absolute or 1e-4 relative (onnxruntime uses MLAS GEMM/exp approximations for linear
/// models and the MLP, so bit equality is not expected there; trees are float32-exact).
@Suite("Zoo parity")
struct ZooParityTests {
    static let artifacts = Fixtures.zooArtifacts()

    @Test("zoo directory is found and non-empty")
    func zooExists() {
        #expect(Self.artifacts.count >= 14, "found \(Self.artifacts)")
    }

    @Test("batch run matches onnxruntime", arguments: artifacts)
    func batchParity(_ artifact: String) throws {
        let dir = Fixtures.zoo.appendingPathComponent(artifact)
        let model = try ONNXModel(contentsOf: dir.appendingPathComponent("model.onnx").path)
        let feeds = try Self.feeds(dir, model)
        let outputs = try model.run(feeds.all)
        try Self.compare(outputs, expected: Fixtures.json(dir.appendingPathComponent("expected.json")), rows: 0..<feeds.rows, artifact)
    }

    @Test("single-row runs match onnxruntime", arguments: artifacts)
    func rowParity(_ artifact: String) throws {
        let dir = Fixtures.zoo.appendingPathComponent(artifact)
        let model = try ONNXModel(contentsOf: dir.appendingPathComponent("model.onnx").path)
        let feeds = try Self.feeds(dir, model)
        let expected = try Fixtures.json(dir.appendingPathComponent("expected.json"))
        for r in stride(from: 0, to: feeds.rows, by: max(1, feeds.rows / 40)) + Array(max(0, feeds.rows - 20)..<feeds.rows) {
            let outputs = try model.run(feeds.row(r))
            try Self.compare(outputs, expected: expected, rows: r..<(r + 1), artifact)
        }
    }

    struct Feeds {
        var all: [String: Tensor]
        var rows: Int
        var columns: [(name: String, range: Range<Int>, type: ElementType)]
        var cells: [[String]]

        func row(_ r: Int) -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for c in columns {
                let slice = Array(cells[r][c.range])
                out[c.name] = c.type == .string
                    ? Tensor(shape: [1, slice.count], data: .string(slice))
                    : Tensor(shape: [1, slice.count], data: .float(slice.map(Fixtures.float)))
            }
            return out
        }
    }

    /// Builds the feeds from `input.csv`, splitting columns per `meta.json` inputs[].csv_columns.
    static func feeds(_ dir: URL, _ model: ONNXModel) throws -> Feeds {
        let cells = try Fixtures.csv(dir.appendingPathComponent("input.csv"))
        let meta = try Fixtures.json(dir.appendingPathComponent("meta.json"))
        var columns: [(name: String, range: Range<Int>, type: ElementType)] = []
        let width = cells.first?.count ?? 0
        if let inputs = meta["inputs"] as? [[String: Any]], inputs.count > 1 {
            for input in inputs {
                guard let name = input["name"] as? String, let cols = input["csv_columns"] as? [Int], cols.count == 2 else {
                    throw FixtureError("bad inputs entry in meta.json")
                }
                let type = (input["type"] as? String) == "tensor(string)" ? ElementType.string : .float
                columns.append((name, cols[0]..<cols[1], type))
            }
        } else {
            let name = model.signature.inputs.first?.name ?? "input"
            columns.append((name, 0..<width, .float))
        }
        var all: [String: Tensor] = [:]
        for c in columns {
            if c.type == .string {
                all[c.name] = Tensor(shape: [cells.count, c.range.count], data: .string(cells.flatMap { Array($0[c.range]) }))
            } else {
                all[c.name] = Tensor(shape: [cells.count, c.range.count], data: .float(cells.flatMap { $0[c.range].map(Fixtures.float) }))
            }
        }
        return Feeds(all: all, rows: cells.count, columns: columns, cells: cells)
    }

    /// Random forests are summed in float32 in tree order exactly like onnxruntime, so they must
    /// match bit for bit (onnx-ops.md section 4, Precision); other models use the tolerance.
    static let bitExact: Set<String> = ["breast-cancer-random-forest/v1", "synthetic-large-forest/v1"]

    static func close(_ a: Float, _ b: Double, exact: Bool = false) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if exact { return a == Float(b) }
        let diff = abs(Double(a) - b)
        return diff <= 1e-5 || diff <= 1e-4 * abs(b)
    }

    static func compare(_ outputs: [String: Value], expected: [String: Any], rows: Range<Int>, _ artifact: String) throws {
        guard let exp = expected["outputs"] as? [String: Any] else { throw FixtureError("expected.json has no outputs") }
        #expect(Set(outputs.keys) == Set(exp.keys), "\(artifact): output names")
        for (name, spec) in exp {
            guard let spec = spec as? [String: Any], let data = spec["data"] as? [Any], let value = outputs[name] else {
                Issue.record("\(artifact): missing output \(name)")
                continue
            }
            let wanted = Array(data[rows])
            switch value {
            case .tensor(let t):
                switch t.data {
                case .int64(let v):
                    let e = wanted.map { ($0 as? NSNumber)?.int64Value ?? Int64.min }
                    #expect(v == e, "\(artifact) \(name) rows \(rows)")
                case .string(let v):
                    #expect(v == wanted.compactMap { $0 as? String }, "\(artifact) \(name) rows \(rows)")
                case .float(let v):
                    let e: [Double] = wanted.flatMap { row -> [Double] in
                        if let r = row as? [Any] { return r.map { ($0 as? NSNumber)?.doubleValue ?? .nan } }
                        return [(row as? NSNumber)?.doubleValue ?? .nan]
                    }
                    #expect(v.count == e.count, "\(artifact) \(name) count")
                    var bad = 0, worst = 0.0
                    for (a, b) in zip(v, e) where !close(a, b, exact: bitExact.contains(artifact)) {
                        bad += 1
                        worst = max(worst, abs(Double(a) - b))
                    }
                    #expect(bad == 0, "\(artifact) \(name): \(bad) values out of tolerance, worst diff \(worst), rows \(rows)")
                default:
                    Issue.record("\(artifact) \(name): unexpected element type \(t.elementType)")
                }
            case .mapSequence(let m):
                #expect(m.rows == wanted.count, "\(artifact) \(name) rows")
                let keys: [String]
                switch m.keys {
                case .int64(let k): keys = k.map(String.init)
                case .string(let k): keys = k
                }
                for (r, row) in wanted.enumerated() {
                    guard let dict = row as? [String: Any] else { Issue.record("\(artifact) \(name): row is not a map"); continue }
                    #expect(Set(dict.keys) == Set(keys), "\(artifact) \(name) keys")
                    for (j, key) in keys.enumerated() {
                        let b = (dict[key] as? NSNumber)?.doubleValue ?? .nan
                        let a = m.values[r * keys.count + j]
                        #expect(close(a, b), "\(artifact) \(name) row \(rows.lowerBound + r) key \(key): \(a) vs \(b)")
                    }
                }
            case .map:
                Issue.record("\(artifact) \(name): unexpected single map")
            }
        }
    }
}
