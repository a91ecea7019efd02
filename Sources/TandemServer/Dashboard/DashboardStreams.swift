import Synchronization
import TandemHTTP
import TandemServing

/// The open `/dashboard/events` streams, at most `limit` of them, and the broadcast of each tick to all.
final class DashboardStreams: Sendable {
    /// `TANDEM_MAX_DASHBOARD_STREAMS`: one more gets 503 `too_many_streams`.
    let limit: Int

    private struct State {
        /// Admitted streams, counting those being opened.
        var admitted = 0
        var open: [ObjectIdentifier: EventStream] = [:]
    }

    private let state = SanitizerVisibleLock(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for a new stream; false when all `limit` are taken.
    func admit() -> Bool {
        state.withLock { s in
            guard s.admitted < limit else { return false }
            s.admitted += 1
            return true
        }
    }

    /// Gives back a slot taken with `admit` whose stream never opened.
    func release() {
        state.withLock { $0.admitted -= 1 }
    }

    /// Holds `stream` (in the slot `admit` took) until it closes.
    func register(_ stream: EventStream) {
        let id = ObjectIdentifier(stream)
        state.withLock { $0.open[id] = stream }
        stream.whenClosed { [self] in
            state.withLock { s in
                if s.open.removeValue(forKey: id) != nil { s.admitted -= 1 }
            }
        }
    }

    /// Open streams.
    var count: Int { state.withLock { $0.open.count } }

    /// Sends `bytes` to every open stream: one task per event loop, which writes to that loop's streams.
    func broadcast(_ bytes: [UInt8]) {
        let streams = state.withLock { Array($0.open.values) }
        guard !streams.isEmpty else { return }
        var byLoop: [ObjectIdentifier: [EventStream]] = [:]
        for stream in streams { byLoop[ObjectIdentifier(stream.eventLoop), default: []].append(stream) }
        for group in byLoop.values {
            guard let loop = group.first?.eventLoop else { continue }
            loop.execute { for stream in group { stream.send(bytes) } }
        }
    }

    /// Ends every stream (shutdown).
    func closeAll() {
        for stream in state.withLock({ Array($0.open.values) }) { stream.close() }
    }
}
