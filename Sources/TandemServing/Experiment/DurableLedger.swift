import DequeModule
import Dispatch
import Foundation
import Logging
import Synchronization
import TandemLedgerStore

/// Who served one request, as the ledger keeps it.
public struct LedgerAssignment: Sendable, Equatable {
    public var requestID: String
    public var variant: String
    /// `model:version` of the variant that answered.
    public var modelVersion: String
    /// Seconds since 1970.
    public var time: Double
    /// The chance this request had of going to `variant` when it was routed (its share then).
    public var probability: Double

    public init(requestID: String, variant: String, modelVersion: String, time: Double, probability: Double) {
        self.requestID = requestID
        self.variant = variant
        self.modelVersion = modelVersion
        self.time = time
        self.probability = probability
    }
}

/// The experiment ledger in a database (SQLite file or PostgreSQL), shared by every replica that names the
/// same one: assignments and outcomes, joined when the report is asked for.
///
/// Requests never wait for it. `record` appends to a bounded buffer under a lock and returns; one background
/// thread owns the connection and writes the buffer in batched transactions every `flushInterval` (or sooner
/// when a batch is full). When the database is slow or gone, the buffer keeps what fits (`capacity`) and the
/// thread reconnects every `retryInterval`; what does not fit is counted (`dropped`) and logged, never failed.
/// Reads (`outcomes`, `statistics`, `reset`, state) run as jobs on the same thread, after the pending writes,
/// so a replica sees its own assignments; their callbacks run on that thread.
public final class DurableLedger: Sendable {
    public struct Settings: Sendable {
        /// `sqlite:/path`, a path, or a PostgreSQL URL.
        public var url: String
        public var endpoint: String
        /// Names this process in the rows it writes.
        public var replica: String
        /// Rows buffered while the database is slow or gone (`TANDEM_LEDGER_BUFFER`).
        public var capacity: Int
        public var flushInterval: Duration
        public var retryInterval: Duration
        /// Reads waiting for the thread before new ones are refused.
        public var maxJobs: Int

        public init(url: String, endpoint: String, replica: String, capacity: Int = 100_000,
                    flushInterval: Duration = .milliseconds(100), retryInterval: Duration = .seconds(1), maxJobs: Int = 256) {
            self.url = url
            self.endpoint = endpoint
            self.replica = replica
            self.capacity = max(1, capacity)
            self.flushInterval = flushInterval
            self.retryInterval = retryInterval
            self.maxJobs = max(1, maxJobs)
        }
    }

    /// What the ledger did so far.
    public struct Counters: Sendable, Equatable {
        public var written = 0
        public var dropped = 0
        public var pending = 0
        public var writeFailures = 0
        public var connected = false
        public var lastError: String?
    }

    /// One outcome's verdict from the database.
    public enum OutcomeVerdict: Sendable, Equatable {
        /// Stored and joined to the variant that served the request.
        case accepted(variant: String)
        /// Stored, but no replica has written an assignment for the id (yet): it counts once one does.
        case unknownRequest
        case duplicate
    }

    private enum Row: Sendable {
        case assignment(LedgerAssignment)
        case outcome(id: String, value: Double, time: Double, source: String)
    }

    private struct State {
        var buffer: Deque<Row> = []
        /// Rows the writer took out of `buffer` and has not committed yet (they count against `capacity`).
        var inFlight = 0
        var jobs: Deque<@Sendable (any SQLConnection) throws(SQLError) -> Void> = []
        var failedJobs: Deque<@Sendable (SQLError) -> Void> = []
        var counters = Counters()
        var stopping = false
    }

    public let settings: Settings
    public var kind: String { settings.url.hasPrefix("postgres") ? "postgresql" : "sqlite" }
    private let state = SanitizerVisibleLock(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let logger: Logger
    /// Rows that make a flush start before the interval is up.
    private static let batch = 1_000

    public init(_ settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let thread = Thread { [self] in self.run() }
        thread.name = "tandem-ledger"
        thread.start()
    }

    /// Notes an assignment. Never blocks beyond a short lock; drops (and counts) when the buffer is full.
    public func record(_ assignment: LedgerAssignment) {
        enqueue(.assignment(assignment))
    }

    private func enqueue(_ row: Row) {
        let (dropped, signal) = state.withLock { state -> (Int?, Bool) in
            guard state.buffer.count + state.inFlight < settings.capacity else {
                state.counters.dropped += 1
                return (state.counters.dropped, false)
            }
            state.buffer.append(row)
            return (nil, state.buffer.count == Self.batch)
        }
        if signal { wake.signal() }
        if let dropped, dropped == 1 || dropped % 1_000 == 0 {
            logger.warning("ledger buffer full: rows dropped", metadata: [
                "dropped": "\(dropped)", "capacity": "\(settings.capacity)", "ledger": "\(kind)",
            ])
        }
    }

    public func counters() -> Counters {
        state.withLock { state in
            var counters = state.counters
            counters.pending = state.buffer.count + state.inFlight
            return counters
        }
    }

    // MARK: reads and writes that answer

    /// Stores outcomes (the first per request id wins) and says, per id, whether it was new and whether an
    /// assignment for it is known. `knownLocally`: ids this process served (known even before their write).
    /// On a database error the outcomes stay buffered for retry and `done` gets the error.
    public func outcomes(
        _ entries: [(id: String, value: Double)], source: String, knownLocally: [String: String],
        done: @escaping @Sendable (Result<[OutcomeVerdict], SQLError>) -> Void
    ) {
        let endpoint = settings.endpoint
        let now = Date().timeIntervalSince1970
        let rows = entries.map { Row.outcome(id: $0.id, value: $0.value, time: now, source: source) }
        submit(
            { connection throws(SQLError) in
                var firstIndex: [String: Int] = [:]
                for (index, entry) in entries.enumerated() where firstIndex[entry.id] == nil { firstIndex[entry.id] = index }
                let unique = entries.enumerated().filter { firstIndex[$0.element.id] == $0.offset }.map(\.element)
                var inserted: Set<String> = []
                var known = knownLocally
                try connection.transaction { () throws(SQLError) in
                    for chunk in unique.chunked(LedgerSchema.rowsPerInsert) {
                        var parameters: [SQLValue] = []
                        for entry in chunk {
                            parameters += [.text(endpoint), .text(entry.id), .double(entry.value), .double(now), .text(source)]
                        }
                        for row in try connection.execute(LedgerSchema.insertOutcomes(rows: chunk.count, returning: true), parameters) {
                            if let id = row.first?.string { inserted.insert(id) }
                        }
                    }
                    let lookup = inserted.filter { knownLocally[$0] == nil }
                    for chunk in Array(lookup).chunked(LedgerSchema.rowsPerInsert) {
                        let rows = try connection.execute(
                            LedgerSchema.knownAssignments(ids: chunk.count), [.text(endpoint)] + chunk.map { .text($0) })
                        for row in rows where row.count == 2 {
                            if let id = row[0].string, let variant = row[1].string { known[id] = variant }
                        }
                    }
                }
                let verdicts = entries.enumerated().map { index, entry -> OutcomeVerdict in
                    guard firstIndex[entry.id] == index, inserted.contains(entry.id) else { return .duplicate }
                    return known[entry.id].map { .accepted(variant: $0) } ?? .unknownRequest
                }
                done(.success(verdicts))
            },
            failed: { [self] error in
                for row in rows { enqueue(row) }
                done(.failure(error))
            })
    }

    /// Per variant, the outcome statistics since the experiment's last start, and the per-variant assignment
    /// counts (with the inverse-propensity sum) since then.
    public struct Report: Sendable {
        public var statistics: [String: OutcomeStats]
        public var assignments: [String: (count: Int, inverseProbabilitySum: Double)]
        public var startedAt: Double
    }

    public func report(_ done: @escaping @Sendable (Result<Report, SQLError>) -> Void) {
        let endpoint = settings.endpoint
        submit(
            { connection throws(SQLError) in
                let started = try connection.execute(LedgerSchema.lastStart, [.text(endpoint)]).first?.first?.double ?? 0
                var statistics: [String: OutcomeStats] = [:]
                for row in try connection.execute(LedgerSchema.statistics, [.text(endpoint), .double(started)]) where row.count == 4 {
                    guard let name = row[0].string, let n = row[1].integer, let mean = row[2].double else { continue }
                    statistics[name] = OutcomeStats(count: Int(n), mean: mean, squaredDeviations: row[3].double ?? 0)
                }
                var assignments: [String: (count: Int, inverseProbabilitySum: Double)] = [:]
                for row in try connection.execute(LedgerSchema.assignmentCounts, [.text(endpoint), .double(started)])
                where row.count == 3 {
                    guard let name = row[0].string, let n = row[1].integer else { continue }
                    assignments[name] = (Int(n), row[2].double ?? 0)
                }
                done(.success(Report(statistics: statistics, assignments: assignments, startedAt: started)))
            }, failed: { done(.failure($0)) })
    }

    /// Starts a new experiment: outcomes recorded from now on count.
    public func reset(_ done: @escaping @Sendable (Result<Void, SQLError>) -> Void) {
        let endpoint = settings.endpoint
        submit(
            { connection throws(SQLError) in
                try connection.execute(LedgerSchema.insertStart, [.text(endpoint), .double(Date().timeIntervalSince1970)])
                done(.success(()))
            }, failed: { done(.failure($0)) })
    }

    /// Named state of the endpoint (a rollout's progress) kept across restarts.
    public func loadState(_ done: @escaping @Sendable (Result<[String: String], SQLError>) -> Void) {
        let endpoint = settings.endpoint
        submit(
            { connection throws(SQLError) in
                var values: [String: String] = [:]
                for row in try connection.execute(LedgerSchema.readState, [.text(endpoint)]) where row.count == 2 {
                    if let name = row[0].string, let value = row[1].string { values[name] = value }
                }
                done(.success(values))
            }, failed: { done(.failure($0)) })
    }

    public func saveState(_ name: String, _ value: String, done: @escaping @Sendable (Result<Void, SQLError>) -> Void = { _ in }) {
        let endpoint = settings.endpoint
        submit(
            { connection throws(SQLError) in
                try connection.execute(
                    LedgerSchema.writeState,
                    [.text(endpoint), .text(name), .text(value), .double(Date().timeIntervalSince1970)])
                done(.success(()))
            }, failed: { done(.failure($0)) })
    }

    private func submit(
        _ job: @escaping @Sendable (any SQLConnection) throws(SQLError) -> Void, failed: @escaping @Sendable (SQLError) -> Void
    ) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping, state.jobs.count < settings.maxJobs else { return false }
            state.jobs.append(job)
            state.failedJobs.append(failed)
            return true
        }
        if accepted { wake.signal() } else { failed(SQLError("the ledger is busy or stopping: too many reads waiting")) }
    }

    /// Writes what is buffered and stops the thread (waits at most `timeout`).
    public func shutdown(timeout: Duration = .seconds(5)) {
        let already = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return state.stopping
        }
        guard !already else { return }
        wake.signal()
        _ = finished.wait(timeout: .now() + .milliseconds(Int(timeout.seconds * 1000)))
    }

    // MARK: the ledger's thread

    private func run() {
        var connection: (any SQLConnection)?
        var nextAttempt = ContinuousClock.now
        var reportedError: String?
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(max(1, Int(settings.flushInterval.seconds * 1000))))
            if connection == nil, ContinuousClock.now >= nextAttempt {
                do {
                    let opened = try openSQLConnection(settings.url)
                    for statement in LedgerSchema.create(for: opened.kind) { try opened.execute(statement, []) }
                    connection = opened
                    state.withLock { $0.counters.connected = true }
                    logger.info("ledger connected", metadata: ["ledger": "\(kind)"])
                    reportedError = nil
                } catch {
                    nextAttempt = ContinuousClock.now + settings.retryInterval
                    noteFailure(error, reported: &reportedError)
                }
            }
            if let open = connection {
                do {
                    try flush(open)
                } catch {
                    connection = nil
                    nextAttempt = ContinuousClock.now + settings.retryInterval
                    noteFailure(error, reported: &reportedError)
                }
            }
            let (jobs, failures, stopping) = state.withLock { state in
                // Nothing is copied when nothing is queued (the common case, ten times a second): the standard
                // library writes the empty count into its one shared empty-array storage, which ThreadSanitizer
                // reports as a race when two ledgers' threads do it at once.
                defer { state.jobs.removeAll(); state.failedJobs.removeAll() }
                return (
                    state.jobs.isEmpty ? [] : Array(state.jobs), state.failedJobs.isEmpty ? [] : Array(state.failedJobs),
                    state.stopping)
            }
            for (job, failed) in zip(jobs, failures) {
                guard let open = connection else {
                    failed(SQLError(reportedError ?? "the ledger's database is not connected"))
                    continue
                }
                do {
                    try job(open)
                } catch {
                    failed(error)
                    if !(open.isUsable) {
                        connection = nil
                        nextAttempt = ContinuousClock.now + settings.retryInterval
                        noteFailure(error, reported: &reportedError)
                    }
                }
            }
            if stopping {
                // Rows recorded while the last pass wrote are written too (a few passes: requests are ending).
                if let open = connection {
                    var passes = 0
                    while passes < 5, ((try? flush(open)) ?? 0) > 0 { passes += 1 }
                }
                finished.signal()
                return
            }
        }
    }

    private func noteFailure(_ error: SQLError, reported: inout String?) {
        state.withLock { state in
            state.counters.connected = false
            state.counters.writeFailures += 1
            state.counters.lastError = error.message
        }
        if reported != error.message {
            logger.error("ledger unavailable: buffering (requests are not affected)", metadata: [
                "ledger": "\(kind)", "error": "\(error.message)",
            ])
            reported = error.message
        }
    }

    /// Writes the buffered rows in transactions of up to a few thousand. The writer takes the whole buffer in one
    /// swap, so a request's `record` never waits behind the copying, writing or freeing of rows; whatever is not
    /// committed when the database fails goes back to the front of the buffer, in order.
    /// Returns how many rows it committed.
    @discardableResult
    private func flush(_ connection: any SQLConnection) throws(SQLError) -> Int {
        let taken = state.withLock { state -> Deque<Row> in
            guard !state.buffer.isEmpty else { return [] }
            var rows: Deque<Row> = []
            swap(&rows, &state.buffer)
            state.inFlight = rows.count
            return rows
        }
        guard !taken.isEmpty else { return 0 }
        let step = LedgerSchema.rowsPerInsert * 10
        var committed = 0
        do {
            while committed < taken.count {
                let end = min(committed + step, taken.count)
                try write(taken[committed..<end], connection)
                state.withLock { state in
                    state.inFlight -= end - committed
                    state.counters.written += end - committed
                }
                committed = end
            }
        } catch {
            state.withLock { state in
                state.buffer.prepend(contentsOf: taken[committed...])
                state.inFlight = 0
            }
            throw error
        }
        return committed
    }

    /// One transaction: the assignments and outcomes among `rows`, in batched inserts. Assignments go straight
    /// from the rows into one reused parameter list (no intermediate copy: each copy of a row is reference
    /// counting on strings the workers share).
    private func write(_ rows: Slice<Deque<Row>>, _ connection: any SQLConnection) throws(SQLError) {
        try connection.transaction { () throws(SQLError) in
            let endpoint = SQLValue.text(settings.endpoint), replica = SQLValue.text(settings.replica)
            var parameters: [SQLValue] = []
            parameters.reserveCapacity(LedgerSchema.rowsPerInsert * 7)
            var pending = 0
            var outcomes: [(id: String, value: Double, time: Double, source: String)] = []
            for row in rows {
                switch row {
                case .assignment(let a):
                    parameters.append(endpoint)
                    parameters.append(.text(a.requestID))
                    parameters.append(.text(a.variant))
                    parameters.append(.text(a.modelVersion))
                    parameters.append(.double(a.time))
                    parameters.append(.double(a.probability))
                    parameters.append(replica)
                    pending += 1
                    if pending == LedgerSchema.rowsPerInsert {
                        try Self.insert(connection, pending, full: LedgerSchema.fullAssignmentsInsert, parameters) {
                            LedgerSchema.insertAssignments(rows: $0)
                        }
                        parameters.removeAll(keepingCapacity: true)
                        pending = 0
                    }
                case .outcome(let id, let value, let time, let source): outcomes.append((id, value, time, source))
                }
            }
            if pending > 0 {
                try Self.insert(connection, pending, full: LedgerSchema.fullAssignmentsInsert, parameters) {
                    LedgerSchema.insertAssignments(rows: $0)
                }
            }
            for chunk in outcomes.chunked(LedgerSchema.rowsPerInsert) {
                parameters.removeAll(keepingCapacity: true)
                for o in chunk {
                    parameters.append(endpoint)
                    parameters.append(.text(o.id))
                    parameters.append(.double(o.value))
                    parameters.append(.double(o.time))
                    parameters.append(.text(o.source))
                }
                try Self.insert(connection, chunk.count, full: LedgerSchema.fullOutcomesInsert, parameters) {
                    LedgerSchema.insertOutcomes(rows: $0, returning: false)
                }
            }
        }
    }
}

extension DurableLedger {
    /// A batch insert of `rows` rows: a full batch runs the one statement text kept prepared on the connection
    /// (parsed and planned once, where building and parsing its 1,400 placeholders per batch cost more than
    /// the rows); a shorter one (the end of a flush) builds its own text and runs it once.
    fileprivate static func insert(
        _ connection: any SQLConnection, _ rows: Int, full: String, _ parameters: [SQLValue], text: (Int) -> String
    ) throws(SQLError) {
        if rows == LedgerSchema.rowsPerInsert {
            try connection.executePrepared(full, parameters)
        } else {
            try connection.execute(text(rows), parameters)
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(1, size)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
