/// Gradient-boosted trees (`booster: gbtree`): per round, one tree per score column on the gradients
/// of the current margins, rows subsampled (`subsample`) and features sampled per tree (`colsample_bytree`)
/// from a generator seeded by (seed, tree), so a run is the same for a given seed, resumed or not.
struct TreeBooster {
    let params: Hyperparameters
    let loss: Loss
    let train: Dataset
    let validation: Dataset?

    func run(
        resume: Checkpoint?, reporter: inout RoundReporter, checkpoint: (Int, TrainedModel, FeatureCuts?, RoundReporter) throws(TrainingError) -> Void
    ) throws(TrainingError) -> TrainedModel {
        let columns = loss.columns
        var cuts = FeatureCuts(train, maxBin: params.maxBin)
        var model = TreeModel(base: loss.baseMargin(train.labels), columns: columns, features: train.features, trees: [])
        var firstRound = 0
        if let resume, case .trees(let saved) = resume.model, let savedCuts = resume.cuts {
            cuts = savedCuts
            model = saved
            firstRound = resume.rounds
            reporter.restore(bestRound: resume.bestRound, bestScore: resume.bestScore, best: resume.best)
        }
        let bins = cuts.binned(train)
        let validationBins = validation.map { cuts.binned($0) }
        var margins = [Double](repeating: model.base, count: train.rows * columns)
        var validationMargins = [Double](repeating: model.base, count: (validation?.rows ?? 0) * columns)
        for tree in model.trees {
            tree.addPredictions(bins: bins, rows: train.rows, to: &margins, columns: columns)
            if let validation, let validationBins {
                tree.addPredictions(bins: validationBins, rows: validation.rows, to: &validationMargins, columns: columns)
            }
        }
        let grower = TreeGrower(cuts: cuts, bins: bins, rows: train.rows, features: train.features, params: params)
        var stopped = false
        var round = firstRound
        while round < params.numRound && !stopped {
            var newTrees: [Tree] = []
            for k in 0..<columns {
                let (g, h) = loss.gradients(margins: margins, labels: train.labels, column: k)
                var rng = SplitMix(seed: params.seed, stream: UInt64(round * columns + k))
                let sample = sampleRows(&rng)
                let allowed = sampleFeatures(&rng)
                newTrees.append(grower.grow(gradients: g, hessians: h, sampleRows: sample, allowedFeatures: allowed, target: k))
            }
            for tree in newTrees {
                tree.addPredictions(bins: bins, rows: train.rows, to: &margins, columns: columns)
                if let validation, let validationBins {
                    tree.addPredictions(bins: validationBins, rows: validation.rows, to: &validationMargins, columns: columns)
                }
            }
            model.trees += newTrees
            stopped = reporter.report(
                round: round, trainLabels: train.labels, trainMargins: margins,
                validation: validation.map { ($0.labels, validationMargins) })
            round += 1
            if round % 10 == 0 || round == params.numRound || stopped {
                try checkpoint(round, .trees(model), cuts, reporter)
            }
        }
        // Keep the trees up to the best validation round (all of them without a validation channel).
        if reporter.bestRound >= 0 && reporter.bestRound + 1 < round {
            model.trees = Array(model.trees.prefix((reporter.bestRound + 1) * columns))
        }
        return .trees(model)
    }

    private func sampleRows(_ rng: inout SplitMix) -> [Int32] {
        guard params.subsample < 1 else { return (0..<Int32(train.rows)).map { $0 } }
        var rows: [Int32] = []
        rows.reserveCapacity(Int(Double(train.rows) * params.subsample) + 16)
        for r in 0..<train.rows where rng.unit() < params.subsample { rows.append(Int32(r)) }
        return rows
    }

    private func sampleFeatures(_ rng: inout SplitMix) -> [Int] {
        let all = Array(0..<train.features)
        guard params.colsampleBytree < 1 else { return all }
        let count = max(1, Int(Double(train.features) * params.colsampleBytree))
        var shuffled = all
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            shuffled.swapAt(i, j)
        }
        return shuffled.prefix(count).sorted()
    }
}
