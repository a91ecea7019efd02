import CLibpq

/// A connection to a PostgreSQL server through libpq. Parameters go as text (`$1, $2, ...`), results come
/// back as text (`SQLValue.text`, NULL as `.null`). A statement runs at most `statementTimeoutMilliseconds`.
public final class PostgresConnection: SQLConnection {
    public let kind = "postgresql"
    /// Invariant: the connection `PQconnectdb` returned, finished exactly once, in `deinit`.
    private let connection: OpaquePointer

    public init(_ conninfo: String, statementTimeoutMilliseconds: Int = 5_000) throws(SQLError) {
        // A dead server should fail the connect in seconds, not hang the ledger's thread.
        var info = conninfo
        if !info.contains("connect_timeout") {
            info += info.contains("://") ? (info.contains("?") ? "&connect_timeout=3" : "?connect_timeout=3") : " connect_timeout=3"
        }
        guard let made = PQconnectdb(info) else { throw SQLError("postgresql: cannot allocate a connection") }
        connection = made
        guard PQstatus(connection) == CONNECTION_OK else {
            throw SQLError("postgresql: cannot connect: \(lastError)")
        }
        try execute("SET statement_timeout = \(max(1, statementTimeoutMilliseconds))", [])
        try execute("SET client_min_messages = warning", [])
    }

    deinit {
        PQfinish(connection)
    }

    private var lastError: String {
        guard let message = PQerrorMessage(connection) else { return "unknown error" }
        return String(cString: message).trimmingTrailingNewlines()
    }

    /// Whether the connection is still usable (false after the server went away).
    public var isUsable: Bool { PQstatus(connection) == CONNECTION_OK }

    /// Server-side prepared statements `executePrepared` made on this connection: their names by text.
    private var prepared: [String: String] = [:]
    /// More distinct statements than this and they are deallocated and the cache starts over.
    private static let maxPreparedStatements = 32

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]] {
        try send(parameters) { count, values in PQexecParams(connection, sql, count, nil, values, nil, nil, 0) }
    }

    /// Prepares `sql` on the server the first time (`PQprepare`: parsed and planned once per connection), then
    /// executes the prepared statement. A multi-row INSERT of 1,400 parameters cost the server far more to parse
    /// and plan than to run.
    @discardableResult
    public func executePrepared(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]] {
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            if prepared.count >= Self.maxPreparedStatements {
                try execute("DEALLOCATE ALL", [])
                prepared.removeAll()
            }
            name = "tandem_\(prepared.count)"
            guard let result = PQprepare(connection, name, sql, Int32(parameters.count), nil) else {
                throw SQLError("postgresql: \(lastError)")
            }
            // Invariant: `result` is cleared exactly once, here.
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else {
                let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? lastError
                throw SQLError("postgresql: \(message.trimmingTrailingNewlines())")
            }
            prepared[sql] = name
        }
        return try send(parameters) { count, values in PQexecPrepared(connection, name, count, values, nil, nil, 0) }
    }

    /// Passes `parameters` as text to `call` (libpq's parameter count and value array) and reads its result.
    private func send(
        _ parameters: [SQLValue], _ call: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer?
    ) throws(SQLError) -> [[SQLValue]] {
        // The parameters as NUL-terminated strings in one buffer, and pointers into it (nil for NULL).
        // Bytes appended straight from each string's UTF-8 (a `utf8CString` copy per parameter was 1,400
        // allocations per batch insert).
        var buffer: [CChar] = []
        buffer.reserveCapacity(parameters.count * 24 + 1)
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for value in parameters {
            guard let text = value.parameterText else { offsets.append(nil); continue }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8.lazy.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
        buffer.append(0)  // never empty, so the base address below exists
        let result: OpaquePointer? = buffer.withUnsafeBufferPointer { bytes -> OpaquePointer? in
            guard let base = bytes.baseAddress else { return nil }
            // Invariant: every offset is the start of a NUL-terminated string inside `bytes`, which outlives
            // the libpq call (libpq copies the values before it returns).
            let pointers: [UnsafePointer<CChar>?] = offsets.map { $0.map { base + $0 } }
            return pointers.withUnsafeBufferPointer { list in call(Int32(parameters.count), list.baseAddress) }
        }
        guard let result else { throw SQLError("postgresql: \(lastError)") }
        // Invariant: `result` is cleared exactly once, here.
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let message = PQresultErrorMessage(result).map { String(cString: $0) } ?? lastError
            throw SQLError("postgresql: \(message.trimmingTrailingNewlines())")
        }
        let rowCount = PQntuples(result), columnCount = PQnfields(result)
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(.null)
                } else if let text = PQgetvalue(result, row, column) {
                    values.append(.text(String(cString: text)))
                } else {
                    values.append(.null)
                }
            }
            rows.append(values)
        }
        return rows
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var copy = self
        while copy.last == "\n" || copy.last == "\r" { copy.removeLast() }
        return copy
    }
}
