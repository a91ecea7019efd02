import Foundation
import Testing
@testable import TandemONNX

/// Ops and corner cases the zoo does not cover (SVMs, TreeEnsemble v5, tree classifier and
/// regressor variants, tanh MLP at opset 9, Softmax v1 vs v13, Gather negative indices,
/// ArgMax NaN/ties, OneHotEncoder, Normalizer, LinearClassifier with one score row, ...),
/// each against onnxruntime 1.31.1's outputs recorded by `scripts/make_op_fixtures.py`.
/// Labels and shapes exact; floats within 1e-5 absolute or 1e-4 relative.
@Suite("Operator fixtures")
struct OperatorFixtureTests {
    static let cases: [String] = {
        let dir = Fixtures.local.appendingPathComponent("ops")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func fixturesPresent() {
        #expect(Self.cases.count >= 35)
    }

    @Test(arguments: cases)
    func matchesOnnxruntime(_ name: String) throws {
        let dir = Fixtures.local.appendingPathComponent("ops")
        let model = try ONNXModel(contentsOf: dir.appendingPathComponent("\(name).onnx").path)
        let doc = try Fixtures.json(dir.appendingPathComponent("\(name).json"))
        let inputs = try #require(doc["inputs"] as? [String: [String: Any]])
        let outputs = try #require(doc["outputs"] as? [String: [String: Any]])
        var feeds: [String: Tensor] = [:]
        for (k, spec) in inputs { feeds[k] = try Self.tensor(spec) }
        let result = try model.run(feeds)
        for (k, spec) in outputs {
            let got = try #require(result[k], "\(name): no output \(k)")
            if spec["type"] as? String == "maps" {
                guard case .mapSequence(let m) = got, let rows = spec["data"] as? [[String: Any]] else {
                    Issue.record("\(name) \(k): expected a map sequence")
                    continue
                }
                #expect(m.rows == rows.count)
                let keys: [String] = switch m.keys {
                case .int64(let v): v.map(String.init)
                case .string(let v): v
                }
                for (r, row) in rows.enumerated() {
                    for (j, key) in keys.enumerated() {
                        #expect(ZooParityTests.close(m.values[r * keys.count + j], (row[key] as? NSNumber)?.doubleValue ?? .nan))
                    }
                }
                continue
            }
            guard case .tensor(let t) = got else { Issue.record("\(name) \(k): expected a tensor"); continue }
            let want = try Self.tensor(spec)
            #expect(t.shape == want.shape, "\(name) \(k) shape")
            switch (t.data, want.data) {
            case (.float(let a), .float(let b)):
                #expect(a.count == b.count)
                for (i, (x, y)) in zip(a, b).enumerated() {
                    #expect(ZooParityTests.close(x, Double(y)), "\(name) \(k)[\(i)]: \(x) vs \(y)")
                }
            case (.double(let a), .double(let b)):
                for (i, (x, y)) in zip(a, b).enumerated() {
                    #expect(ZooParityTests.close(Float(x), y), "\(name) \(k)[\(i)]: \(x) vs \(y)")
                }
            default:
                #expect(t.data == want.data, "\(name) \(k)")
            }
        }
    }

    /// Decodes `{"type", "shape", "data"}` written by the generator (null = NaN).
    static func tensor(_ spec: [String: Any]) throws -> Tensor {
        let shape = (spec["shape"] as? [Int]) ?? []
        let data = (spec["data"] as? [Any]) ?? []
        func number(_ v: Any) -> Double { (v as? NSNumber)?.doubleValue ?? .nan }
        switch spec["type"] as? String {
        case "float": return Tensor(shape: shape, data: .float(data.map { Float(number($0)) }))
        case "double": return Tensor(shape: shape, data: .double(data.map(number)))
        case "int64": return Tensor(shape: shape, data: .int64(data.map { ($0 as? NSNumber)?.int64Value ?? 0 }))
        case "int32": return Tensor(shape: shape, data: .int32(data.map { ($0 as? NSNumber)?.int32Value ?? 0 }))
        case "bool": return Tensor(shape: shape, data: .bool(data.map { ($0 as? NSNumber)?.boolValue ?? false }))
        case "string": return Tensor(shape: shape, data: .string(data.map { "\($0)" }))
        case let other: throw FixtureError("unknown tensor type \(other ?? "nil")")
        }
    }
}
