import Foundation
import Logging
import Synchronization

/// The endpoint's experiment bookkeeping, shared by the invocation core (which notes who served each
/// request) and the outcome routes (which join outcomes to those assignments).
///
/// The in-memory ledger is made on first use with the config's `remember` and kept across reloads, so an
/// outcome posted after a reload still finds the variant that served its request. When the experiment
/// names a database (`experiment.ledger`, an SQLite file by default), every assignment also goes to the
/// `DurableLedger`, which is what `GET /experiment` reports from: it survives restarts and is shared by the
/// replicas that name the same PostgreSQL database.
public final class ExperimentBook: Sendable {
    private let box = SanitizerVisibleLock<OutcomeLedger?>(nil)
    private let durableBox = SanitizerVisibleLock<(url: String, ledger: DurableLedger)?>(nil)
    private let logger: Logger
    /// Names this process in the ledger's rows.
    public let replica: String
    /// Rows the durable ledger buffers while its database is slow or gone.
    public let bufferCapacity: Int

    public init(logger: Logger = Logger(label: "tandem.ledger"), replica: String? = nil, bufferCapacity: Int = 100_000) {
        self.logger = logger
        self.replica = replica ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.bufferCapacity = bufferCapacity
    }

    /// The ledger, made with `config.remember` the first time.
    public func ledger(_ config: ExperimentConfig) -> OutcomeLedger {
        box.withLock { box in
            if let existing = box { return existing }
            let created = OutcomeLedger(capacity: config.remember)
            box = created
            return created
        }
    }

    /// The database ledger `config` names, opened (on its own thread) the first time; nil when the experiment
    /// keeps its ledger in memory. A reload that names another database opens that one and closes the old.
    public func durable(_ config: ExperimentConfig, endpoint: String) -> DurableLedger? {
        guard case .database(let url) = config.ledger else { return nil }
        let (ledger, retired) = durableBox.withLock { box -> (DurableLedger, DurableLedger?) in
            if let existing = box, existing.url == url { return (existing.ledger, nil) }
            let created = DurableLedger(
                .init(url: url, endpoint: endpoint, replica: replica, capacity: bufferCapacity), logger: logger)
            let old = box?.ledger
            box = (url, created)
            return (created, old)
        }
        if let retired { DispatchQueue.global(qos: .utility).async { retired.shutdown() } }
        return ledger
    }

    /// The database ledger if one was opened.
    public var openDurable: DurableLedger? { durableBox.withLock { $0?.ledger } }

    /// A production variant answered `requestID` under the endpoint snapshot `state`. Requests that named
    /// their variant are not noted (the core does not call this for them): they were not randomised, and their
    /// outcomes would bias the comparison.
    func served(_ requestID: String, by variant: Variant, state: EndpointState, config: ExperimentConfig) {
        ledger(config).served(requestID, by: variant.name)
        durable(config, endpoint: state.config.endpointName)?.record(
            LedgerAssignment(
                requestID: requestID, variant: variant.name, modelVersion: variant.modelVersion,
                time: Date().timeIntervalSince1970, probability: state.routing.share(of: variant.name)))
    }

    private let decisions = SanitizerVisibleLock<[BanditDecision]>([])

    /// A bandit weight update (the most recent 100 are kept).
    public func note(_ decision: BanditDecision) {
        decisions.withLock { list in
            list.append(decision)
            if list.count > 100 { list.removeFirst(list.count - 100) }
        }
    }

    /// The bandit's recent weight updates, oldest first.
    public func banditDecisions() -> [BanditDecision] { decisions.withLock { $0 } }

    /// Writes what the database ledger has buffered (at shutdown).
    public func shutdown() {
        openDurable?.shutdown()
    }
}

/// One bandit weight update: the shares it set (summing to 1) and whether it was still in burn-in.
public struct BanditDecision: Sendable, Equatable {
    public var time: Double
    public var shares: [String: Double]
    public var burnIn: Bool
}
