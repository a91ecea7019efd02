import Foundation
import Testing
@testable import TandemONNX

/// One loaded model run from 8 threads at once must give exactly the serial results.
@Suite("Concurrency")
struct ConcurrencyTests {
    @Test(arguments: ["synthetic-large-forest/v1", "digits-mlp/v1", "mixed-columns-logreg/v1", "iris-logreg-zipmap/v1"])
    func eightThreadsMatchSerial(_ artifact: String) throws {
        let dir = Fixtures.zoo.appendingPathComponent(artifact)
        let model = try ONNXModel(contentsOf: dir.appendingPathComponent("model.onnx").path)
        let feeds = try ZooParityTests.feeds(dir, model)
        let rows = Array(0..<feeds.rows)
        let serial = try rows.map { try model.run(feeds.row($0)) }
        let batch = try model.run(feeds.all)

        let threads = 8
        let results = ResultBox(count: threads * rows.count)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            // Each thread starts at a different row so calls genuinely overlap.
            for k in 0..<rows.count {
                let r = (k + t * 37) % rows.count
                results.set(t * rows.count + r, try? model.run(feeds.row(r)))
            }
            _ = try? model.run(feeds.all)
        }
        for t in 0..<threads {
            for r in rows {
                #expect(results.get(t * rows.count + r) == serial[r], "\(artifact) thread \(t) row \(r)")
            }
        }
        #expect(try model.run(feeds.all) == batch)
    }
}

/// Collects results from concurrent threads.
/// `@unchecked Sendable` invariant: every access to `values` holds `lock`.
final class ResultBox: @unchecked Sendable {
    private var values: [[String: Value]?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: [String: Value]?) { lock.lock(); values[i] = v; lock.unlock() }
    func get(_ i: Int) -> [String: Value]? { lock.lock(); defer { lock.unlock() }; return values[i] }
}
