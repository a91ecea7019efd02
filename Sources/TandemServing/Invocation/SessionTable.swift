import Foundation
import Synchronization

/// SageMaker's stateful sessions inside one container: a request that asks for a new session is routed
/// as usual and gets a session id bound to the variant that served it; later requests with that id go to
/// the same variant until the session is closed or expires.
///
/// Bounded: at most `capacity` open sessions (`TANDEM_MAX_SESSIONS`); expired ones are forgotten first,
/// and a new session beyond the bound is refused rather than evicting a live one.
public final class SessionTable: Sendable {
    /// One open session.
    public struct Session: Sendable, Equatable {
        public var variant: String
        public var expires: Date
    }

    public let capacity: Int
    /// How long a session lives after it was opened (`TANDEM_SESSION_TTL_S`, default 20 minutes).
    public let lifetime: Duration
    private let sessions = SanitizerVisibleLock<[String: Session]>([:])

    public init(capacity: Int = 100_000, lifetime: Duration = .seconds(1200)) {
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
    }

    /// The open session `id`, or nil when it is unknown, closed or expired.
    public func session(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            if session.expires <= now {
                table[id] = nil
                return nil
            }
            return session
        }
    }

    /// Opens a session bound to `variant`; nil when `capacity` sessions are open.
    func open(variant: String, now: Date = Date()) -> (id: String, expires: Date)? {
        let expires = now.addingTimeInterval(Double(lifetime.components.seconds))
        let id = UUID().uuidString.lowercased()
        let opened = sessions.withLock { table -> Bool in
            if table.count >= capacity { table = table.filter { $0.value.expires > now } }
            guard table.count < capacity else { return false }
            table[id] = Session(variant: variant, expires: expires)
            return true
        }
        return opened ? (id, expires) : nil
    }

    /// Closes session `id`; false when it was not open.
    @discardableResult
    func close(_ id: String) -> Bool {
        sessions.withLock { $0.removeValue(forKey: id) != nil }
    }

    /// The number of open sessions (expired ones not yet forgotten included).
    public var count: Int { sessions.withLock { $0.count } }
}

/// What a request asks of the session table.
public enum SessionRequest: Sendable, Equatable {
    /// SageMaker's `SessionId: NEW_SESSION`: open a session with the variant this request is routed to.
    case open
    /// Continue session `id` (route to its variant).
    case resume(String)
    /// Continue session `id` for this one request, then close it.
    case close(String)
}

/// What happened to the request's session, for the door to tell the caller.
public enum SessionEvent: Sendable, Equatable {
    case opened(id: String, expires: Date)
    case closed(id: String)
}
