/// A value bound to, or read from, a SQL statement. PostgreSQL rows come back as text; the accessors read
/// either representation.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case double(Double)
    case integer(Int64)
    case null

    public var string: String? {
        switch self {
        case .text(let s): return s
        case .double(let d): return String(d)
        case .integer(let i): return String(i)
        case .null: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .text(let s): return Double(s)
        case .double(let d): return d
        case .integer(let i): return Double(i)
        case .null: return nil
        }
    }

    public var integer: Int64? {
        switch self {
        case .text(let s): return Int64(s) ?? Double(s).flatMap { Int64(exactly: $0) }
        case .double(let d): return Int64(exactly: d)
        case .integer(let i): return i
        case .null: return nil
        }
    }

    /// The text form PostgreSQL takes for a parameter (nil for NULL).
    var parameterText: String? {
        switch self {
        case .text(let s): return s
        case .double(let d): return d.isFinite ? "\(d)" : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case .integer(let i): return String(i)
        case .null: return nil
        }
    }
}

/// A database call that failed: the database's own message.
public struct SQLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One connection to the ledger's database. Not thread-safe: one thread owns it (the ledger's writer).
///
/// Statements use PostgreSQL's `$1, $2, ...` placeholders on both databases (SQLite reads them as its own
/// numbered `?NNN`), and only SQL both understand: `INSERT ... ON CONFLICT DO NOTHING RETURNING`, CTEs.
public protocol SQLConnection: AnyObject {
    /// Which database this is ("sqlite" or "postgresql"), for logs and reports.
    var kind: String { get }
    /// False once the connection is broken (the server went away) and a new one is needed.
    var isUsable: Bool { get }
    /// Runs one statement with `parameters`; the rows it returns (none for most writes).
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]]
    /// Runs `sql` as `execute` does, keeping it prepared for the next call with the same text: for statements
    /// run over and over (the ledger's batch inserts), parsed and planned once per connection, not per batch.
    @discardableResult
    func executePrepared(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]]
}

extension SQLConnection {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws(SQLError) -> T) throws(SQLError) -> T {
        try execute("BEGIN", [])
        do {
            let value = try body()
            try execute("COMMIT", [])
            return value
        } catch {
            _ = try? execute("ROLLBACK", [])
            throw error
        }
    }
}

/// Opens a connection from a ledger URL: `sqlite:/path/to/file` (or a plain path) or
/// `postgresql://user@host:port/db` / `postgres://...` / a libpq keyword string (`host=... dbname=...`).
public func openSQLConnection(_ url: String) throws(SQLError) -> any SQLConnection {
    if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") || url.contains("dbname=") || url.contains("host=") {
        return try PostgresConnection(url)
    }
    let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
    return try SQLiteConnection(path: path)
}
