import Foundation
import TandemONNX
import Testing

@testable import TandemTraining

/// Boosted trees and linear models trained in memory: they learn, they are deterministic per seed, a
/// resumed run equals an uninterrupted one, and Tandem's ONNX runtime scores the exported model as
/// training does.
@Suite struct BoosterTests {
    /// y = 1 when x0 + x1 > 1 (x2 noise), every 7th x1 missing; regression target 3·x0 - 2·x1.
    static func synthetic(rows: Int, seed: UInt64, task: Objective, missing: Bool = true) -> Dataset {
        var rng = SplitMix(seed: seed, stream: 99)
        var values: [Float] = []
        var labels: [Float] = []
        for r in 0..<rows {
            let x0 = Float(rng.unit())
            let x1 = Float(rng.unit())
            let x2 = Float(rng.unit())
            let gap = missing && r % 7 == 0
            values += [x0, gap ? .nan : x1, x2]
            let x1v = gap ? Float(0.9) : x1
            switch task {
            case .squaredError: labels.append(3 * x0 - 2 * x1v)
            case .binaryLogistic: labels.append(x0 + x1v > 1 ? 1 : 0)
            case .multiSoftprob, .multiSoftmax: labels.append(x0 < 0.33 ? 0 : (x1v < 0.5 ? 1 : 2))
            }
        }
        return Dataset(rows: rows, features: 3, values: values, labels: labels)
    }

    static func train(_ h: [String: String], _ train: Dataset, _ validation: Dataset? = nil, resume: Checkpoint? = nil,
                      saved: ((Checkpoint) -> Void)? = nil) throws -> (TrainedModel, [String]) {
        let p = try Hyperparameters(strings: h)
        let loss = Loss(objective: p.objective, columns: p.scoreColumns)
        let lines = LineSink()
        var reporter = RoundReporter(loss: loss, metrics: p.metrics, earlyStoppingRounds: p.earlyStoppingRounds, emit: { lines.append($0) })
        let save: (Int, TrainedModel, FeatureCuts?, RoundReporter) throws(TrainingError) -> Void = { rounds, model, cuts, r in
            saved?(Checkpoint(fingerprint: "", rounds: rounds, model: model, cuts: cuts, bestRound: r.bestRound, bestScore: r.bestScore, best: r.best))
        }
        let model: TrainedModel
        switch p.booster {
        case .gbtree: model = try TreeBooster(params: p, loss: loss, train: train, validation: validation).run(resume: resume, reporter: &reporter, checkpoint: save)
        case .gblinear: model = try LinearBooster(params: p, loss: loss, train: train, validation: validation).run(resume: resume, reporter: &reporter, checkpoint: save)
        }
        return (model, lines.lines)
    }

    /// Scores `data` with Tandem's ONNX runtime: the probabilities (classifiers) or values (regressors).
    static func runtimeScores(_ model: TrainedModel, _ objective: Objective, _ data: Dataset) throws -> [Float] {
        let bytes = ONNXExport.model(model, objective: objective, version: "test").serialized()
        let onnx = try TandemONNX.ONNXModel(bytes: bytes)
        let outputs = try onnx.run(["input": Tensor(shape: [data.rows, data.features], data: .float(data.values))])
        let name = objective == .squaredError ? "variable" : "probabilities"
        guard case .tensor(let t)? = outputs[name], case .float(let scores) = t.data else {
            Issue.record("no float output \(name): \(outputs.keys)")
            return []
        }
        return scores
    }

    static func expectedScores(_ model: TrainedModel, _ objective: Objective, _ data: Dataset) -> [Double] {
        let loss = Loss(objective: objective, columns: objective.isMulticlass ? 3 : 1)
        let p = loss.transform(model.margins(data))
        return objective == .binaryLogistic ? p.flatMap { [1 - $0, $0] } : p
    }

    @Test(arguments: [
        (Objective.binaryLogistic, "gbtree"), (.multiSoftprob, "gbtree"), (.squaredError, "gbtree"),
        (.binaryLogistic, "gblinear"), (.multiSoftmax, "gblinear"), (.squaredError, "gblinear"),
    ])
    func runtimeScoresTheExportAsTrainingDoes(objective: Objective, booster: String) throws {
        // Linear ONNX models take imputed inputs: no missing values for gblinear.
        let data = Self.synthetic(rows: 2000, seed: 1, task: objective, missing: booster == "gbtree")
        let test = Self.synthetic(rows: 300, seed: 2, task: objective, missing: booster == "gbtree")
        var h = ["objective": objective.rawValue, "num_round": "30", "booster": booster]
        if objective.isMulticlass { h["num_class"] = "3" }
        let (model, lines) = try Self.train(h, data)
        #expect(lines.contains("round: 29"))
        let runtime = try Self.runtimeScores(model, objective, test)
        let expected = Self.expectedScores(model, objective, test)
        #expect(runtime.count == expected.count)
        for (a, b) in zip(runtime, expected) { #expect(abs(Double(a) - b) < 1e-4) }
        let metric = Metric(rawValue: Hyperparameters.defaultMetric(objective)) ?? .rmse
        let loss = Loss(objective: objective, columns: objective.isMulticlass ? 3 : 1)
        let value = metric.evaluate(labels: test.labels, predictions: loss.transform(model.margins(test)), columns: loss.columns)
        let bound: Double = switch (objective, booster) {
        case (.squaredError, "gbtree"): 0.15
        case (.squaredError, _): 0.35
        case (.binaryLogistic, "gbtree"): 0.2
        case (.binaryLogistic, _): 0.35
        default: 0.2
        }
        #expect(value < bound, "\(metric) \(value)")
    }

    @Test func missingValuesLearnTheirDirection() throws {
        // Missing x0 means class 1; present x0 decides by x0 > 0.5.
        var values: [Float] = []
        var labels: [Float] = []
        var rng = SplitMix(seed: 3, stream: 0)
        for r in 0..<1000 {
            let x = Float(rng.unit())
            values.append(r % 4 == 0 ? .nan : x)
            labels.append(r % 4 == 0 ? 1 : (x > 0.5 ? 1 : 0))
        }
        let (model, _) = try Self.train(["objective": "binary:logistic", "num_round": "20"], Dataset(rows: 1000, features: 1, values: values, labels: labels))
        let probe = Dataset(rows: 3, features: 1, values: [.nan, 0.1, 0.9], labels: [1, 0, 1])
        let p = try Self.runtimeScores(model, .binaryLogistic, probe)
        #expect(p[1] > 0.9 && p[3] < 0.1 && p[5] > 0.9, "\(p)")
    }

    @Test func sameSeedSameModelAndResumeEqualsOneRun() throws {
        let data = Self.synthetic(rows: 1500, seed: 4, task: .binaryLogistic)
        let h = ["objective": "binary:logistic", "num_round": "20", "subsample": "0.7", "colsample_bytree": "0.67", "seed": "11"]
        let (a, _) = try Self.train(h, data)
        let (b, _) = try Self.train(h, data)
        #expect(a == b)
        var other = h
        other["seed"] = "12"
        #expect(try Self.train(other, data).0 != a)
        let saved = CheckpointBox()
        var first = h
        first["num_round"] = "10"
        _ = try Self.train(first, data, saved: { saved.value = $0 })
        let checkpoint = try #require(saved.value)
        #expect(checkpoint.rounds == 10)
        let (resumed, lines) = try Self.train(h, data, resume: checkpoint)
        #expect(!lines.contains("round: 9") && lines.contains("round: 10"))
        #expect(resumed == a)
    }

    @Test func earlyStoppingKeepsTheBestRound() throws {
        let data = Self.synthetic(rows: 400, seed: 5, task: .binaryLogistic)
        let validation = Self.synthetic(rows: 400, seed: 6, task: .binaryLogistic)
        let (model, lines) = try Self.train(
            ["objective": "binary:logistic", "num_round": "500", "eta": "0.5", "early_stopping_rounds": "5"], data, validation)
        let stop = try #require(lines.first { $0.hasPrefix("early stopping: best round ") })
        let best = try #require(Int(stop.dropFirst("early stopping: best round ".count)))
        guard case .trees(let trees) = model else { Issue.record("not trees"); return }
        #expect(trees.trees.count == best + 1)
        #expect(lines.contains("round: \(best + 5)") && !lines.contains("round: \(best + 6)"))
    }
}

/// Collects emitted lines (the reporter's sink is synchronous, on the training thread).
final class LineSink {
    var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
}

final class CheckpointBox {
    var value: Checkpoint?
}
