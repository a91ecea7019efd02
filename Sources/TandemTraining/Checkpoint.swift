import Foundation

/// A training run's state after some rounds, saved as JSON in the checkpoint directory
/// (`/opt/ml/checkpoints`, which SageMaker syncs with S3) so that a restarted job resumes from it.
struct Checkpoint: Codable, Equatable {
    /// What must match for a checkpoint to be resumed: the hyperparameters other than the round count
    /// and early stopping, and the training data's shape and labels.
    var fingerprint: String
    /// Rounds completed.
    var rounds: Int
    var model: TrainedModel
    var cuts: FeatureCuts?
    var bestRound: Int
    var bestScore: Double
    var best: [String: Double]

    static let fileName = "tandem-checkpoint.json"

    static func fingerprint(_ p: Hyperparameters, _ train: Dataset) -> String {
        var q = p
        q.numRound = 0
        q.earlyStoppingRounds = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let params = (try? encoder.encode(q)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for y in train.labels { hash = (hash ^ UInt64(y.bitPattern)) &* 0x100_0000_01B3 }
        for v in train.values.prefix(100_000) { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01B3 }
        return "\(params) rows=\(train.rows) features=\(train.features) data=\(String(hash, radix: 16))"
    }
}

/// Reads and writes the checkpoint in one directory (atomically: a temporary file renamed over it).
struct CheckpointStore {
    let directory: String

    var path: String { directory + "/" + Checkpoint.fileName }

    /// The saved checkpoint when there is one for this run; a checkpoint of another run is ignored (reported).
    func load(fingerprint: String, note: (String) -> Void) -> Checkpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let checkpoint = try? JSONDecoder().decode(Checkpoint.self, from: data) else {
            note("checkpoint \(path) cannot be read; starting afresh")
            return nil
        }
        guard checkpoint.fingerprint == fingerprint else {
            note("checkpoint \(path) is from other hyperparameters or data; starting afresh")
            return nil
        }
        return checkpoint
    }

    func save(_ checkpoint: Checkpoint) throws(TrainingError) {
        do {
            let data = try JSONEncoder().encode(checkpoint)
            let temporary = path + ".tmp"
            try data.write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw TrainingError("cannot write the checkpoint \(path): \(error.localizedDescription)")
        }
    }
}
