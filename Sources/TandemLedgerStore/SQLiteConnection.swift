import CSQLite

/// A connection to an SQLite file (made if missing), in WAL mode so a reader never waits for the writer.
public final class SQLiteConnection: SQLConnection {
    public let kind = "sqlite"
    public let isUsable = true
    /// Invariant: a handle `sqlite3_open_v2` returned, closed exactly once, in `deinit`.
    private let handle: OpaquePointer

    public init(path: String, busyTimeoutMilliseconds: Int32 = 2_000) throws(SQLError) {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard let opened else { throw SQLError("sqlite: cannot open \(path): out of memory") }
        guard status == SQLITE_OK else {
            let message = String(cString: sqlite3_errmsg(opened))
            sqlite3_close_v2(opened)
            throw SQLError("sqlite: cannot open \(path): \(message)")
        }
        handle = opened
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        try execute("PRAGMA journal_mode=WAL", [])
        try execute("PRAGMA synchronous=NORMAL", [])
    }

    /// Statements `executePrepared` keeps, by their text as given. Invariant: each is a statement
    /// `sqlite3_prepare_v2` returned for `handle`, reset after every use, finalized exactly once (when the cache
    /// is cleared or in `deinit`, before the handle closes).
    private var statements: [String: OpaquePointer] = [:]
    /// More distinct statements than this and the cache starts over (the ledger runs a handful).
    private static let maxCachedStatements = 32

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// SQLite's message for the last failure with its extended result code (which says, for instance, which
    /// kind of I/O failed behind a "disk I/O error").
    private var lastError: String {
        "\(String(cString: sqlite3_errmsg(handle))) (extended code \(sqlite3_extended_errcode(handle)))"
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]] {
        let statement = try prepare(sql)
        // Invariant: `statement` is finalized exactly once, here, whatever happens below.
        defer { sqlite3_finalize(statement) }
        return try run(statement, parameters)
    }

    @discardableResult
    public func executePrepared(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]] {
        let statement: OpaquePointer
        if let cached = statements[sql] {
            statement = cached
        } else {
            if statements.count >= Self.maxCachedStatements {
                for old in statements.values { sqlite3_finalize(old) }
                statements.removeAll()
            }
            statement = try prepare(sql)
            statements[sql] = statement
        }
        // Invariant: the cached statement is left reset with no bindings, ready for the next call.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        return try run(statement, parameters)
    }

    private func prepare(_ sql: String) throws(SQLError) -> OpaquePointer {
        // `$n` -> `?n`: SQLite's numbered parameters, so each binds at its own index.
        let text = sql.replacingDollarPlaceholders()
        var prepared: OpaquePointer?
        guard sqlite3_prepare_v2(handle, text, -1, &prepared, nil) == SQLITE_OK, let statement = prepared else {
            throw SQLError("sqlite: \(lastError)")
        }
        return statement
    }

    /// Binds `parameters` to a freshly prepared or reset `statement` and steps it to the end.
    private func run(_ statement: OpaquePointer, _ parameters: [SQLValue]) throws(SQLError) -> [[SQLValue]] {
        for (offset, value) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .text(let string): status = sqlite3_bind_text(statement, index, string, -1, tandem_sqlite_transient())
            case .double(let number): status = sqlite3_bind_double(statement, index, number)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .null: status = sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw SQLError("sqlite: binding parameter \(index): \(lastError)") }
        }
        var rows: [[SQLValue]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw SQLError("sqlite: \(lastError)") }
            let columns = sqlite3_column_count(statement)
            var row: [SQLValue] = []
            row.reserveCapacity(Int(columns))
            for column in 0..<columns {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, column)))
                case SQLITE_NULL: row.append(.null)
                default:
                    // The text pointer is valid until the next step, reset or finalize; String copies it now.
                    if let bytes = sqlite3_column_text(statement, column) {
                        row.append(.text(String(cString: bytes)))
                    } else {
                        row.append(.null)
                    }
                }
            }
            rows.append(row)
        }
        return rows
    }
}

extension String {
    /// PostgreSQL's `$n` placeholders in SQLite's terms (the ledger's SQL has no other `$`). When they run
    /// `$1, $2, ...` in order, each used once (every multi-row INSERT), they become plain `?`: SQLite resolves
    /// numbered `?n` through a list it searches for each one, which made parsing a 1,400-parameter batch insert
    /// quadratic (`sqlite3VListNumToName` was 8% of the server's CPU with the ledger on). Otherwise `$n` -> `?n`.
    func replacingDollarPlaceholders() -> String {
        let bytes = Array(utf8)
        let isDigit: (UInt8) -> Bool = { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        // Each `$n`: where its `$` is, where its digits end, and n.
        var placeholders: [(dollar: Int, end: Int, number: Int)] = []
        var index = 0
        while index < bytes.count {
            var end = index + 1
            if bytes[index] == UInt8(ascii: "$") {
                while end < bytes.count, isDigit(bytes[end]), end - index <= 7 { end += 1 }
                if end > index + 1 {
                    let number = bytes[(index + 1)..<end].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                    placeholders.append((index, end, number))
                }
            }
            index = end
        }
        let inOrder = placeholders.enumerated().allSatisfy { $0.offset + 1 == $0.element.number }
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var copied = 0
        for placeholder in placeholders {
            text.append(contentsOf: bytes[copied..<placeholder.dollar])
            text.append(UInt8(ascii: "?"))
            if !inOrder { text.append(contentsOf: bytes[(placeholder.dollar + 1)..<placeholder.end]) }
            copied = placeholder.end
        }
        text.append(contentsOf: bytes[copied...])
        return String(decoding: text, as: UTF8.self)
    }
}
