/// A training or validation set held in memory: features row-major as float32 (NaN = missing), one label per row.
public struct Dataset: Sendable {
    public var rows: Int
    public var features: Int
    /// `rows * features` values, row-major; NaN marks a missing value.
    public var values: [Float]
    public var labels: [Float]

    public init(rows: Int, features: Int, values: [Float], labels: [Float]) {
        self.rows = rows
        self.features = features
        self.values = values
        self.labels = labels
    }

    /// The same rows padded (with missing values) or checked to `count` features.
    func widened(to count: Int) -> Dataset {
        guard count > features else { return self }
        var out = [Float](repeating: .nan, count: rows * count)
        for r in 0..<rows {
            for f in 0..<features { out[r * count + f] = values[r * features + f] }
        }
        return Dataset(rows: rows, features: count, values: out, labels: labels)
    }
}

/// A training failure: the message SageMaker shows (it goes to `/opt/ml/output/failure`).
public struct TrainingError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
