import Synchronization

/// The endpoint's experiment bookkeeping, shared by the invocation core (which notes who served each
/// request) and the outcome routes (which join outcomes to those assignments).
///
/// The ledger is made on first use with the config's `remember` and kept across reloads, so an outcome
/// posted after a reload still finds the variant that served its request.
public final class ExperimentBook: Sendable {
    private let box = Mutex<OutcomeLedger?>(nil)

    public init() {}

    /// The ledger, made with `config.remember` the first time.
    public func ledger(_ config: ExperimentConfig) -> OutcomeLedger {
        box.withLock { box in
            if let existing = box { return existing }
            let created = OutcomeLedger(capacity: config.remember)
            box = created
            return created
        }
    }

    /// A production variant answered `requestID` under an endpoint snapshot whose experiment is `config`.
    /// Requests that named their variant are not noted (the core does not call this for them): they were
    /// not randomised, and their outcomes would bias the comparison.
    func served(_ requestID: String, by variant: String, config: ExperimentConfig) {
        ledger(config).served(requestID, by: variant)
    }
}
