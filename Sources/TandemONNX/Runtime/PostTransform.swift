import Foundation

/// The score transforms of the ai.onnx.ml classifiers and regressors, computed the way
/// onnxruntime's `ml_common.h` does (float32, max-subtracted softmax, |x| logistic form).
enum PostTransform: Sendable, Equatable {
    case none, logistic, softmax, softmaxZero, probit

    /// Parses the STRING attribute form (`NONE`, `LOGISTIC`, ...).
    init(name: String) throws(BuildError) {
        switch name {
        case "NONE": self = .none
        case "LOGISTIC": self = .logistic
        case "SOFTMAX": self = .softmax
        case "SOFTMAX_ZERO": self = .softmaxZero
        case "PROBIT": self = .probit
        default: throw BuildError(.invalidAttribute, "post_transform '\(name)' is not one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT")
        }
    }

    /// Parses the INT attribute form of ai.onnx.ml v5 `TreeEnsemble`. The ONNX text lists
    /// 1 SOFTMAX and 2 LOGISTIC, but onnxruntime 1.31.1 casts the integer onto its own enum
    /// (NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT), so 1 is LOGISTIC and 2 is SOFTMAX.
    /// The oracle wins (checked by the tree_ensemble_v5_* fixtures).
    init(code: Int64) throws(BuildError) {
        switch code {
        case 0: self = .none
        case 1: self = .logistic
        case 2: self = .softmax
        case 3: self = .softmaxZero
        case 4: self = .probit
        default: throw BuildError(.invalidAttribute, "post_transform \(code) is not in 0...4")
        }
    }

    /// True when the transform turns scores into probabilities.
    var producesProbabilities: Bool { self == .logistic || self == .softmax || self == .softmaxZero }

    /// Applies the transform in place to one row of scores (`scores.count >= 2` semantics).
    /// Works on the elements `row` of a bounds-checked span (a trap, never a stray write, if `row`
    /// were out of range).
    func apply(_ values: inout MutableSpan<Float>, _ row: Range<Int>) {
        switch self {
        case .none: return
        case .logistic: for i in row { values[i] = MLMath.logistic(values[i]) }
        case .probit: for i in row { values[i] = MLMath.probit(values[i]) }
        case .softmax: MLMath.softmax(&values, row)
        case .softmaxZero: MLMath.softmaxZero(&values, row)
        }
    }
}

extension PostTransform {
    /// Applies the transform in place to a whole array (one row of scores).
    func apply(_ row: inout [Float]) {
        let all = 0..<row.count
        var span = row.mutableSpan
        apply(&span, all)
    }

    /// Applies the transform in place to each `width`-element row of `values` (row-major, `rows` rows).
    func applyRows(_ values: inout [Float], rows: Int, width: Int) {
        if self == .none { return }
        var all = values.mutableSpan
        for r in 0..<rows {
            apply(&all, (r * width)..<((r + 1) * width))
        }
    }
}

/// Scalar math helpers matching onnxruntime's ML kernels.
enum MLMath {
    /// `1/(1+e^-|x|)`, mirrored for negative x: finite for any input.
    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        let v = 1 / (1 + expf(-abs(x)))
        return x < 0 ? 1 - v : v
    }

    /// Approximate inverse error function (the Winitzki form onnxruntime uses).
    static func erfInv(_ value: Float) -> Float {
        let sign: Float = value < 0 ? -1 : 1
        let x = (1 - value) * (1 + value)
        let lnx = logf(x)
        let v: Float = 2 / (3.14159 * 0.147) + 0.5 * lnx
        let v2: Float = 1 / 0.147 * lnx
        let v3 = -v + sqrtf(v * v - v2)
        return sign * sqrtf(v3)
    }

    /// `sqrt(2) * erfinv(2x - 1)`.
    static func probit(_ x: Float) -> Float { 1.41421356 * erfInv(2 * x - 1) }

    /// Softmax with the row maximum subtracted first.
    static func softmax(_ values: inout MutableSpan<Float>, _ row: Range<Int>) {
        var vmax = -Float.greatestFiniteMagnitude
        for i in row where values[i] > vmax { vmax = values[i] }
        var sum: Float = 0
        for i in row {
            let e = expf(values[i] - vmax)
            values[i] = e
            sum += e
        }
        for i in row { values[i] /= sum }
    }

    /// Softmax over the non-zero entries; entries within 1e-7 of zero are scaled by e^-max (stay ~0).
    static func softmaxZero(_ values: inout MutableSpan<Float>, _ row: Range<Int>) {
        var vmax = -Float.greatestFiniteMagnitude
        for i in row where values[i] > vmax { vmax = values[i] }
        let expNegMax = expf(-vmax)
        var sum: Float = 0
        for i in row {
            let v = values[i]
            if v > 0.0000001 || v < -0.0000001 {
                let e = expf(v - vmax)
                values[i] = e
                sum += e
            } else {
                values[i] = v * expNegMax
            }
        }
        for i in row { values[i] /= sum }
    }
}

/// How onnxruntime widens a single binary score into two columns.
enum BinaryExpansion {
    /// `[1 - p, p]` (all-positive tree weights, one-row LinearClassifier, SVM with a transform).
    case complement
    /// `[-s, s]`, or `[σ(-s), σ(s)]` under LOGISTIC (mixed-sign tree weights, SVM without transform).
    case negate

    /// The two output columns for raw score `s` under `transform`.
    func columns(_ s: Float, _ transform: PostTransform) -> (Float, Float) {
        switch (self, transform) {
        case (.complement, .logistic):
            let p = MLMath.logistic(s)
            return (1 - p, p)
        case (.complement, .probit):
            let p = MLMath.probit(s)
            return (1 - p, p)
        case (.complement, _):
            return (1 - s, s)
        case (.negate, .logistic):
            return (MLMath.logistic(-s), MLMath.logistic(s))
        case (.negate, _):
            return (-s, s)
        }
    }
}
