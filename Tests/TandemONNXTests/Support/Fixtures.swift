import Foundation
@testable import TandemONNX

/// Locates test data relative to this file, so tests run from any clone.
enum Fixtures {
    /// `<repo>/fixtures/zoo`.
    static var zoo: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures/zoo")
    }

    /// `Tests/TandemONNXTests/Fixtures`.
    static var local: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The `<model>/<version>` paths that `zoo.json` indexes: the parity set, whose inputs are float
    /// CSV cells and whose scores hold to the fixed tolerances below. The breadth models
    /// (`breadth.json`: string inputs, per-model tolerances) are checked over HTTP by
    /// system-tests/e2e/test_zoo_breadth.py.
    static func zooArtifacts() -> [String] {
        guard let data = FileManager.default.contents(atPath: zoo.appendingPathComponent("zoo.json").path),
            let index = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let artifacts = index["artifacts"] as? [[String: Any]]
        else { return [] }
        return artifacts.compactMap { $0["path"] as? String }.sorted()
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func json(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        guard let dict = object as? [String: Any] else { throw FixtureError("\(url.lastPathComponent) is not a JSON object") }
        return dict
    }

    /// CSV cells of `input.csv` as strings, one array per row.
    static func csv(_ url: URL) throws -> [[String]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Parses a CSV number as Python does (float64), then rounds to float32 as the server would.
    static func float(_ cell: String) -> Float {
        let t = cell.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "nan" { return .nan }
        return Float(Double(t) ?? .nan)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
