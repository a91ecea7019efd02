import Foundation

/// `tandem train`: SageMaker's training contract. Reads the job's config and channels under the root,
/// trains, and writes `model.onnx` plus `tandem-model.json` to `<root>/model` (what `tandem serve`
/// serves as is); any failure is written to `<root>/output/failure` and gives exit status 1.
public struct TrainingJob {
    public var paths: MLPaths
    /// Tandem's version, recorded in the model's metadata and ONNX producer.
    public var version: String
    /// Overrides the memory the machine reports (bytes), for tests of the refusal.
    public var memoryLimit: Int?
    /// Metric and progress lines (stdout).
    public var emit: (String) -> Void
    /// Notes and errors (stderr).
    public var note: (String) -> Void

    public init(paths: MLPaths, version: String, memoryLimit: Int? = nil, emit: @escaping (String) -> Void, note: @escaping (String) -> Void) {
        self.paths = paths
        self.version = version
        self.memoryLimit = memoryLimit
        self.emit = emit
        self.note = note
    }

    /// Runs the job; returns the process exit status.
    public func run() -> Int32 {
        do {
            try train()
            return 0
        } catch {
            note("training failed: \(error.message)")
            writeFailure(error.message)
            return 1
        }
    }

    private func writeFailure(_ message: String) {
        do {
            try FileManager.default.createDirectory(atPath: paths.output, withIntermediateDirectories: true)
            try Data((message + "\n").utf8).write(to: URL(fileURLWithPath: paths.failure))
        } catch {
            note("cannot write \(paths.failure): \(error.localizedDescription)")
        }
    }

    func train() throws(TrainingError) {
        let started = Date()
        let config = try JobConfig(paths: paths)
        if config.hosts.count > 1 {
            throw TrainingError(
                "this job has \(config.hosts.count) instances; Tandem trains on one (set instance_count=1, or use "
                    + "SageMaker's distributed XGBoost and serve its ONNX export, see docs/training.md)")
        }
        let params = try Hyperparameters(strings: config.hyperparameters)
        let loss = Loss(objective: params.objective, columns: params.scoreColumns)
        let trainFormat = try DataFormat(contentType: config.contentTypes["train"] ?? "text/csv")
        let validationFormat = try DataFormat(contentType: config.contentTypes["validation"] ?? config.contentTypes["train"] ?? "text/csv")
        let trainFiles = try Self.files(paths.channel("train"), channel: "train", required: true)
        let validationFiles = try Self.files(paths.channel("validation"), channel: "validation", required: false)

        let budget = MemoryBudget.estimate(files: trainFiles + validationFiles, format: trainFormat, columns: loss.columns, linear: params.booster == .gblinear)
        if let available = memoryLimit ?? MemoryBudget.available(), budget.needed > available {
            throw TrainingError(
                "the training data needs about \(MemoryBudget.describe(budget.needed)) of memory (~\(budget.rows) rows × \(budget.features) features "
                    + "at \(budget.bytesPerValue) bytes per value + \(budget.bytesPerRow) per row) but \(MemoryBudget.describe(available)) is available; "
                    + "use an instance with more memory, or a distributed engine for data beyond one machine (docs/training.md)")
        }

        var train = try Self.read(trainFiles, format: trainFormat, width: nil)
        var validation = validationFiles.isEmpty ? nil : try Self.read(validationFiles, format: validationFormat, width: trainFormat == .csv ? train.features : nil)
        if let v = validation {
            guard trainFormat == .libsvm || v.features == train.features else {
                throw TrainingError("validation has \(v.features) features but train has \(train.features)")
            }
            let width = max(train.features, v.features)
            train = train.widened(to: width)
            validation = v.widened(to: width)
        }
        guard train.rows > 0 else { throw TrainingError("channel train holds no rows") }
        try loss.validate(train.labels, channel: "train")
        if let validation { try loss.validate(validation.labels, channel: "validation") }
        if params.earlyStoppingRounds != nil && validation == nil {
            note("early_stopping_rounds needs a validation channel; training all \(params.numRound) rounds")
        }
        emit("train: \(train.rows) rows, \(train.features) features; validation: \(validation?.rows ?? 0) rows; \(workerCount) threads")

        let store: CheckpointStore? = FileManager.default.fileExists(atPath: paths.checkpoints) ? CheckpointStore(directory: paths.checkpoints) : nil
        let fingerprint = Checkpoint.fingerprint(params, train)
        let resume = store?.load(fingerprint: fingerprint, note: note)
        if let resume { emit("resuming from checkpoint after round \(resume.rounds - 1)") }
        let saveCheckpoint: (Int, TrainedModel, FeatureCuts?, RoundReporter) throws(TrainingError) -> Void = { rounds, model, cuts, reporter in
            guard let store else { return }
            try store.save(Checkpoint(
                fingerprint: fingerprint, rounds: rounds, model: model, cuts: cuts,
                bestRound: reporter.bestRound, bestScore: reporter.bestScore, best: reporter.best))
        }
        var reporter = RoundReporter(
            loss: loss, metrics: params.metrics, earlyStoppingRounds: validation == nil ? nil : params.earlyStoppingRounds, emit: emit)
        let model: TrainedModel
        switch params.booster {
        case .gbtree:
            model = try TreeBooster(params: params, loss: loss, train: train, validation: validation)
                .run(resume: resume, reporter: &reporter, checkpoint: saveCheckpoint)
        case .gblinear:
            model = try LinearBooster(params: params, loss: loss, train: train, validation: validation)
                .run(resume: resume, reporter: &reporter, checkpoint: saveCheckpoint)
        }
        let seconds = Date().timeIntervalSince(started)
        try ModelWriter(paths: paths, version: version).write(
            model, params: params, hyperparameters: config.hyperparameters,
            shape: .init(trainRows: train.rows, validationRows: validation?.rows ?? 0, features: train.features, classes: params.objective.isClassification ? max(2, loss.columns) : 0),
            metrics: reporter.best, bestRound: reporter.bestRound, seconds: seconds)
        emit("training seconds: \(RoundReporter.format(seconds))")
        emit("model written to \(paths.model)")
    }

    /// The files of a channel directory (recursively, sorted, hidden files skipped).
    static func files(_ directory: String, channel: String, required: Bool) throws(TrainingError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            if required { throw TrainingError("channel \(channel) is missing: \(directory) does not exist") }
            return []
        }
        var result: [String] = []
        if let walker = FileManager.default.enumerator(atPath: directory) {
            while let entry = walker.nextObject() as? String {
                let name = (entry as NSString).lastPathComponent
                let path = directory + "/" + entry
                guard !name.hasPrefix("."), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                result.append(path)
            }
        }
        result.sort()
        if required && result.isEmpty { throw TrainingError("channel \(channel) is empty: no files in \(directory)") }
        return result
    }

    static func read(_ files: [String], format: DataFormat, width: Int?) throws(TrainingError) -> Dataset {
        var parser = DataParser(format: format, width: width)
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw TrainingError("\(file) cannot be read") }
            try parser.parse([UInt8](data), file: file)
        }
        return parser.dataset()
    }
}
