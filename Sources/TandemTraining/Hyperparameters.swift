/// The objectives of SageMaker's built-in XGBoost that Tandem trains.
public enum Objective: String, Sendable, Codable {
    case binaryLogistic = "binary:logistic"
    case multiSoftprob = "multi:softprob"
    case multiSoftmax = "multi:softmax"
    case squaredError = "reg:squarederror"

    var isMulticlass: Bool { self == .multiSoftprob || self == .multiSoftmax }
    var isClassification: Bool { self != .squaredError }
}

/// `gbtree` (histogram gradient-boosted trees) or `gblinear` (coordinate-descent linear model).
public enum Booster: String, Sendable, Codable {
    case gbtree
    case gblinear
}

/// Hyperparameters with the names, defaults and meanings of SageMaker's built-in XGBoost algorithm.
/// SageMaker passes every value as a string; `init(strings:)` parses and range-checks them.
public struct Hyperparameters: Sendable, Codable, Equatable {
    public var booster: Booster = .gbtree
    public var objective: Objective = .squaredError
    public var numRound = 100
    public var maxDepth = 6
    public var eta = 0.3
    public var minChildWeight = 1.0
    public var lambda = 1.0
    public var alpha = 0.0
    public var gamma = 0.0
    public var subsample = 1.0
    public var colsampleBytree = 1.0
    public var numClass: Int?
    public var seed: UInt64 = 0
    public var earlyStoppingRounds: Int?
    public var evalMetrics: [String] = []
    /// Histogram bins per feature (XGBoost's `max_bin`, at most 255 here).
    public var maxBin = 256

    public init() {}

    /// Names accepted but without effect here (XGBoost tuning knobs this implementation does not need).
    static let ignored: Set<String> = [
        "tree_method", "nthread", "verbosity", "silent", "grow_policy", "sketch_eps", "scale_pos_weight",
        "max_delta_step", "colsample_bylevel", "colsample_bynode", "base_score", "updater", "process_type",
        "refresh_leaf", "max_leaves", "sagemaker_program", "sagemaker_submit_directory",
        "_tuning_objective_metric", "feature_selector", "top_k", "predictor", "single_precision_histogram",
        "deterministic_histogram", "num_parallel_tree", "save_model_on_termination",
    ]

    /// Parses SageMaker's `hyperparameters.json` object (all values strings; numbers are accepted too).
    public init(strings: [String: String]) throws(TrainingError) {
        var remaining = strings
        func take(_ names: String...) -> (String, String)? {
            for name in names {
                if let v = remaining.removeValue(forKey: name) { return (name, v.trimmed) }
            }
            return nil
        }
        func double(_ names: String..., range: ClosedRange<Double>) throws(TrainingError) -> Double? {
            var found: (String, String)?
            for name in names where found == nil { found = take(name) }
            guard let (name, text) = found else { return nil }
            guard let v = Double(text), v.isFinite else { throw TrainingError("hyperparameter \(name) = '\(text)' is not a number") }
            guard range.contains(v) else { throw TrainingError("hyperparameter \(name) = \(text) is outside \(range.lowerBound)...\(range.upperBound)") }
            return v
        }
        func int(_ name: String, range: ClosedRange<Int>) throws(TrainingError) -> Int? {
            guard let (_, text) = take(name) else { return nil }
            guard let v = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }) else {
                throw TrainingError("hyperparameter \(name) = '\(text)' is not an integer")
            }
            guard range.contains(v) else { throw TrainingError("hyperparameter \(name) = \(text) is outside \(range.lowerBound)...\(range.upperBound)") }
            return v
        }
        if let (_, w) = take("csv_weights"), w != "0" {
            throw TrainingError("csv_weights = \(w): instance weights are not supported; remove the weight column")
        }
        if let (_, b) = take("booster") {
            guard let booster = Booster(rawValue: b) else { throw TrainingError("booster '\(b)' is not supported (gbtree or gblinear)") }
            self.booster = booster
        }
        if let (_, o) = take("objective") {
            guard let objective = Objective(rawValue: o == "reg:linear" ? "reg:squarederror" : o) else {
                throw TrainingError("objective '\(o)' is not supported (binary:logistic, multi:softprob, multi:softmax, reg:squarederror)")
            }
            self.objective = objective
        }
        if booster == .gblinear {  // the linear booster's defaults in XGBoost
            eta = 0.5
            lambda = 0
        }
        numRound = try int("num_round", range: 1...100_000) ?? numRound
        maxDepth = try int("max_depth", range: 1...16) ?? maxDepth
        eta = try double("eta", "learning_rate", range: 0...1) ?? eta
        minChildWeight = try double("min_child_weight", range: 0...1e12) ?? minChildWeight
        lambda = try double("lambda", "reg_lambda", range: 0...1e12) ?? lambda
        alpha = try double("alpha", "reg_alpha", range: 0...1e12) ?? alpha
        gamma = try double("gamma", "min_split_loss", range: 0...1e12) ?? gamma
        subsample = try double("subsample", range: 1e-6...1) ?? subsample
        colsampleBytree = try double("colsample_bytree", range: 1e-6...1) ?? colsampleBytree
        numClass = try int("num_class", range: 2...10_000)
        let seedValue = try int("seed", range: Int.min...Int.max)
        let randomState = try int("random_state", range: Int.min...Int.max)
        if let s = seedValue ?? randomState { seed = UInt64(bitPattern: Int64(s)) }
        earlyStoppingRounds = try int("early_stopping_rounds", range: 1...100_000)
        maxBin = try int("max_bin", range: 2...256) ?? maxBin
        if let (_, m) = take("eval_metric") {
            evalMetrics = m.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
            for metric in evalMetrics where !Metric.names.contains(metric) {
                throw TrainingError("eval_metric '\(metric)' is not supported (\(Metric.names.sorted().joined(separator: ", ")))")
            }
        }
        // SageMaker's own keys (`sagemaker_*`, `_tuning_objective_metric`, ...) are not the algorithm's.
        for name in remaining.keys.sorted() where !Self.ignored.contains(name) && !name.hasPrefix("sagemaker_") && !name.hasPrefix("_") {
            throw TrainingError("unknown hyperparameter '\(name)'")
        }
        if objective.isMulticlass && numClass == nil {
            throw TrainingError("objective \(objective.rawValue) needs the hyperparameter num_class")
        }
        if !objective.isMulticlass && numClass != nil && objective != .binaryLogistic {
            throw TrainingError("num_class is only for the multi:softprob and multi:softmax objectives")
        }
    }

    /// Output columns of the raw score: the class count for multiclass objectives, else 1.
    var scoreColumns: Int { objective.isMulticlass ? (numClass ?? 2) : 1 }

    /// The metrics to report: `eval_metric`, else the objective's default (XGBoost's).
    var metrics: [Metric] {
        let names = evalMetrics.isEmpty ? [Self.defaultMetric(objective)] : evalMetrics
        return names.compactMap(Metric.init(rawValue:))
    }

    static func defaultMetric(_ objective: Objective) -> String {
        switch objective {
        case .binaryLogistic: "logloss"
        case .multiSoftprob: "mlogloss"
        case .multiSoftmax: "merror"
        case .squaredError: "rmse"
        }
    }
}
