import TandemONNX

/// How a model's outputs are rendered in responses (per-model config `output:`).
public struct OutputRendering: Sendable, Equatable {
    /// How per-class probabilities or scores appear in JSON records.
    public enum Scores: String, Sendable, Equatable {
        /// `"probabilities": [0.1, 0.9]`, in class order.
        case list
        /// `"probabilities": {"0": 0.1, "1": 0.9}`, keyed by class label.
        case map
        /// Left out: only the label is returned.
        case none
    }

    /// How scores appear; `list` by default.
    public var scores: Scores

    public init(scores: Scores = .list) {
        self.scores = scores
    }
}

/// A model's outputs for one request, arranged per record for the encoders.
struct PredictionTable: Sendable {
    enum Labels {
        case int64([Int64])
        case string([String])
    }

    struct Matrix {
        var values: [Float]
        var width: Int
    }

    var rows: Int
    var labels: Labels?
    /// Per-class scores, `rows x classes`.
    var scores: Matrix?
    /// The class labels naming the score columns, as JSON keys.
    var scoreKeys: [String] = []
    var scoresName = "probabilities"
    /// Regression values, `rows x targets`.
    var values: Matrix?
    /// Outputs the signature does not classify, rendered under their own names.
    var others: [(name: String, tensor: Tensor)] = []

    /// A table of `rows` records with no outputs yet (its parts are set directly).
    init(rows: Int) {
        self.rows = rows
    }

    /// Arranges `outputs` by the signature's roles; throws when an output does not hold one entry per record.
    init(outputs: [String: Value], signature: ModelSignature, rows: Int) throws(ModelRunError) {
        self.rows = rows
        var used: Set<String> = []
        if let name = signature.labelOutput, let value = outputs[name] {
            used.insert(name)
            guard case .tensor(let tensor) = value else { throw Self.mismatch(name, "is not a tensor") }
            switch tensor.data {
            case .int64(let v) where v.count == rows: labels = .int64(v)
            case .int32(let v) where v.count == rows: labels = .int64(v.map(Int64.init))
            case .int8(let v) where v.count == rows: labels = .int64(v.map(Int64.init))
            case .uint8(let v) where v.count == rows: labels = .int64(v.map(Int64.init))
            case .string(let v) where v.count == rows: labels = .string(v)
            default: throw Self.mismatch(name, "holds \(tensor.count) \(tensor.elementType) labels for \(rows) records")
            }
        }
        if let name = signature.scoresOutput, let value = outputs[name] {
            used.insert(name)
            scoresName = signature.scoresAreProbabilities ? "probabilities" : "scores"
            switch value {
            case .tensor(let tensor):
                let matrix = try Self.matrix(tensor, name: name, rows: rows)
                scores = matrix
                switch signature.classLabels {
                case .int64(let l) where l.count == matrix.width: scoreKeys = l.map { String($0) }
                case .string(let l) where l.count == matrix.width: scoreKeys = l
                default: scoreKeys = (0..<matrix.width).map { String($0) }
                }
            case .mapSequence(let maps):
                guard maps.rows == rows else { throw Self.mismatch(name, "holds \(maps.rows) maps for \(rows) records") }
                scores = Matrix(values: maps.values, width: maps.keys.count)
                switch maps.keys {
                case .int64(let k): scoreKeys = k.map { String($0) }
                case .string(let k): scoreKeys = k
                }
            case .map:
                throw Self.mismatch(name, "is a single map, not one score row per record")
            }
        }
        if let name = signature.valueOutput, let value = outputs[name] {
            used.insert(name)
            guard case .tensor(let tensor) = value else { throw Self.mismatch(name, "is not a tensor") }
            values = try Self.matrix(tensor, name: name, rows: rows)
        }
        if labels == nil && scores == nil && values == nil {
            for output in signature.outputs where !used.contains(output.name) {
                guard case .tensor(let tensor) = outputs[output.name] else { continue }
                guard tensor.shape.first == rows || (rows == 1 && tensor.shape.isEmpty) else {
                    throw Self.mismatch(output.name, "has shape \(tensor.shape) for \(rows) records")
                }
                others.append((output.name, tensor))
            }
        }
    }

    private static func matrix(_ tensor: Tensor, name: String, rows: Int) throws(ModelRunError) -> Matrix {
        let floats: [Float]
        switch tensor.data {
        case .float(let v): floats = v
        case .double(let v): floats = v.map { Float($0) }
        case .int64(let v): floats = v.map { Float($0) }
        case .int32(let v): floats = v.map { Float($0) }
        case .int8(let v): floats = v.map { Float($0) }
        case .uint8(let v): floats = v.map { Float($0) }
        default: throw mismatch(name, "holds \(tensor.elementType) values, not numbers")
        }
        guard rows > 0, floats.count % rows == 0 else {
            throw mismatch(name, "holds \(floats.count) values for \(rows) records")
        }
        return Matrix(values: floats, width: floats.count / rows)
    }

    private static func mismatch(_ name: String, _ what: String) -> ModelRunError {
        ModelRunError(code: "bad_model_output", message: "model output '\(name)' \(what)")
    }
}
