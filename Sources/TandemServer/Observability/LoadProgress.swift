import Foundation
import Logging
import Synchronization
import TandemJSON
import TandemServing

/// Which models are loading, how large they are and how long each took: logged as each starts and ends,
/// shown on `/ping`'s and `/variants`' JSON (`model_loads`) and on `/metrics` (`tandem_model_load_*`).
/// `cancel()` (SIGTERM during a load) makes every model load that has not started yet fail at once.
public final class LoadProgress: Sendable {
    /// One model file's load.
    public struct Record: Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var started: ContinuousClock.Instant
        /// Load time, once finished.
        public var seconds: Double?
        public var failed: Bool
    }

    private let records = SanitizerVisibleLock<[Record]>([])
    private let cancelled = Atomic<Bool>(false)
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// True after `cancel()`.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Stops loads that have not started yet.
    public func cancel() {
        cancelled.store(true, ordering: .releasing)
    }

    /// The loads so far (the latest load of each path), oldest first.
    public var snapshot: [Record] { records.withLock { $0 } }

    /// Wraps `loader` so each ONNX load is recorded and logged, and refused once cancelled.
    public func wrapping(_ loader: ModelLoader) -> ModelLoader {
        ModelLoader { [self] path in
            if isCancelled { throw ConfigError("\(path): not loaded, the server is shutting down") }
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path  // the model's size, not a link's
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? NSNumber)?.intValue ?? 0
            let start = ContinuousClock.now
            records.withLock { list in
                list.removeAll { $0.path == path }
                list.append(Record(path: path, bytes: bytes, started: start, seconds: nil, failed: false))
            }
            logger.notice("loading model", metadata: ["path": "\(path)", "bytes": "\(bytes)"])
            do {
                let model = try loader.loadONNX(path)
                finish(path, start: start, failed: false)
                return model
            } catch {
                finish(path, start: start, failed: true)
                throw error
            }
        }
    }

    private func finish(_ path: String, start: ContinuousClock.Instant, failed: Bool) {
        let seconds = (ContinuousClock.now - start).seconds
        records.withLock { list in
            if let index = list.lastIndex(where: { $0.path == path }) {
                list[index].seconds = seconds
                list[index].failed = failed
            }
        }
        logger.notice(
            failed ? "model failed to load" : "model loaded",
            metadata: ["path": "\(path)", "seconds": "\((seconds * 1000).rounded() / 1000)"])
    }

    /// `[{"path": …, "bytes": …, "state": "loading|loaded|failed", "seconds": …}]` (seconds so far while loading).
    public func json() -> String {
        let now = ContinuousClock.now
        var w = JSONWriter()
        w.beginArray()
        for record in snapshot {
            w.beginObject()
            w.member("path", string: record.path)
            w.member("bytes", int: record.bytes)
            w.member("state", string: record.seconds == nil ? "loading" : record.failed ? "failed" : "loaded")
            w.member("seconds", double: ((record.seconds ?? (now - record.started).seconds) * 1000).rounded() / 1000)
            w.endObject()
        }
        w.endArray()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
