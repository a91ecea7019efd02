/// Where one rollout is: its policy, the step it is on and since when, and how it ended. Kept in the ledger's
/// `tandem_state` table (JSON) so a restart resumes it, and shown in `/variants`.
public struct RolloutProgress: Sendable, Equatable, Codable {
    public enum Phase: String, Sendable, Codable {
        /// Taking steps on schedule.
        case running
        /// At the last step before all traffic, waiting for promotion (`promote: false`).
        case holding
        /// The challenger has all the traffic.
        case completed
        /// A guardrail was breached (or an admin aborted): the challenger's share went back to 0.
        case rolledBack = "rolled_back"
    }

    /// One logged decision.
    public struct Event: Sendable, Equatable, Codable {
        public var time: Double
        public var action: String
        public var share: Double
        public var detail: String
    }

    public var policy: RolloutPolicy
    public var phase: Phase = .running
    public var step = 0
    /// Seconds since 1970 when the current step began.
    public var stepStartedAt: Double
    public var reason: String?
    /// The most recent decisions (at most `historyLimit`).
    public var history: [Event] = []

    static let historyLimit = 50

    public init(policy: RolloutPolicy, now: Double) {
        self.policy = policy
        self.stepStartedAt = now
    }

    /// The challenger's share now.
    public var share: Double {
        switch phase {
        case .rolledBack: return 0
        case .completed: return 1
        case .running, .holding: return policy.steps[min(step, policy.steps.count - 1)].share
        }
    }

    mutating func log(_ action: String, _ detail: String, now: Double) {
        history.append(Event(time: now, action: action, share: share, detail: detail))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    }
}
