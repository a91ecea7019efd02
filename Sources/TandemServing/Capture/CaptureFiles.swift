import Foundation

/// The capture folder layout and rotation, used by the writer thread only:
/// `<root>/<endpoint>/<variant>/yyyy/mm/dd/hh/MM-SS-mmm-<uuid>.jsonl` (SageMaker's layout and file naming),
/// one current file per (endpoint, variant), a new one when the hour of the records changes or the file
/// would grow past `maxFileBytes`.
///
/// Each batch opens, appends to and closes its files, so a directory removed, replaced or made unwritable
/// between batches is noticed at the next one. A failed append is cut back to where it started, so a
/// file never holds half a record.
struct CaptureFiles {
    let root: String
    let maxFileBytes: Int
    private var current: [String: CurrentFile] = [:]
    private let files = FileManager.default

    /// What happened to one batch.
    struct Outcome {
        var written = 0
        var bytes = 0
        var filesStarted = 0
        var failed = 0
        /// The last failure, for the log line.
        var error: String?
    }

    private struct CurrentFile {
        var folder: String
        var path: String
        var size: Int
    }

    init(root: String, maxFileBytes: Int) {
        self.root = root
        self.maxFileBytes = maxFileBytes
    }

    /// Appends each event's record to its variant's current file (in order), rotating as needed.
    mutating func write(_ events: [CaptureEvent]) -> Outcome {
        var outcome = Outcome()
        // Lines grouped by variant and hour folder, in arrival order within each group.
        var groups: [(slot: String, folder: String, lines: [[UInt8]])] = []
        var index: [String: Int] = [:]
        for event in events {
            let slot = "\(event.endpoint)/\(event.variant)"
            let folder = "\(root)/\(slot)/\(UTCTime(secondsSinceEpoch: event.time).hourFolder)"
            let key = slot + "\u{0}" + folder
            if let at = index[key] {
                groups[at].lines.append(event.jsonLine())
            } else {
                index[key] = groups.count
                groups.append((slot, folder, [event.jsonLine()]))
            }
        }
        for group in groups {
            var chunk: [UInt8] = []
            var count = 0
            for (position, line) in group.lines.enumerated() {
                let size = current[group.slot].map { $0.folder == group.folder ? $0.size : -1 } ?? -1
                if size < 0 || (size + chunk.count > 0 && size + chunk.count + line.count > maxFileBytes) {
                    flush(&chunk, &count, slot: group.slot, into: &outcome)
                    current[group.slot] = nil
                    if startFile(slot: group.slot, folder: group.folder, outcome: &outcome) == false {
                        // Nowhere to write this hour's records for now: all of this group that is left is dropped.
                        outcome.failed += group.lines.count - position
                        count = 0
                        break
                    }
                }
                chunk.append(contentsOf: line)
                count += 1
            }
            flush(&chunk, &count, slot: group.slot, into: &outcome)
        }
        return outcome
    }

    /// Appends `chunk` to the slot's current file; on failure its records are counted failed and the slot
    /// starts a new file next time.
    private mutating func flush(_ chunk: inout [UInt8], _ count: inout Int, slot: String, into outcome: inout Outcome) {
        defer {
            chunk.removeAll(keepingCapacity: true)
            count = 0
        }
        guard count > 0, let file = current[slot] else { return }
        do {
            try append(chunk, to: file.path)
            current[slot]?.size += chunk.count
            outcome.written += count
            outcome.bytes += chunk.count
        } catch {
            outcome.failed += count
            outcome.error = "\(file.path): \(error)"
            current[slot] = nil
        }
    }

    /// Creates the folder and an empty new file in it; false (with the error noted) when it cannot.
    private mutating func startFile(slot: String, folder: String, outcome: inout Outcome) -> Bool {
        let stamp = UTCTime(secondsSinceEpoch: Date().timeIntervalSince1970).fileStamp
        let path = "\(folder)/\(stamp)-\(UUID().uuidString.lowercased()).jsonl"
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            outcome.error = "\(folder): \(error)"
            return false
        }
        guard files.createFile(atPath: path, contents: nil) else {
            outcome.error = "\(path): cannot create the file"
            return false
        }
        current[slot] = CurrentFile(folder: folder, path: path, size: 0)
        outcome.filesStarted += 1
        return true
    }

    /// Appends `bytes` to the existing file at `path`, cutting it back to its old length if the write fails.
    private func append(_ bytes: [UInt8], to path: String) throws {
        guard files.fileExists(atPath: path), let handle = FileHandle(forWritingAtPath: path) else {
            throw CaptureFileError(message: "the capture file is gone or not writable")
        }
        defer { try? handle.close() }
        let start = try handle.seekToEnd()
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            try? handle.truncate(atOffset: start)
            throw error
        }
    }
}

/// A capture file that cannot be written.
struct CaptureFileError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
