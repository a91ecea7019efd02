import Foundation
import Testing
import TandemLedgerStore

@Suite("SQL connections (SQLite file)")
struct SQLiteConnectionTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "/tandem-sqlite-\(UUID().uuidString).sqlite"
    }

    @Test func roundTripsEveryValueKindWithNumberedPlaceholders() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE t (a TEXT, b DOUBLE PRECISION, c INTEGER, d TEXT)", [])
        // $2 before $1: the numbers, not the order, choose the value.
        try db.execute("INSERT INTO t (b, a, c, d) VALUES ($2, $1, $3, $4)", [.text("x'; DROP TABLE t; --"), .double(1.5), .integer(7), .null])
        let rows = try db.execute("SELECT a, b, c, d FROM t WHERE c = $1", [.integer(7)])
        #expect(rows == [[.text("x'; DROP TABLE t; --"), .double(1.5), .integer(7), .null]])
        #expect(rows[0][1].double == 1.5 && rows[0][2].integer == 7 && rows[0][3].string == nil)
    }

    /// A 200-row, 1,400-parameter batch (the ledger's insert) with the placeholders in order, and one that reuses a
    /// number: both bind each value where its number says.
    @Test func largeInOrderBatchesAndReusedNumbers() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE t (a TEXT, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f INTEGER, g INTEGER)", [])
        let rows = (0..<200).map { r in "(" + (1...7).map { "$\(r * 7 + $0)" }.joined(separator: ", ") + ")" }
        let values: [SQLValue] = (0..<200).flatMap { r in [SQLValue.text("r\(r)")] + (1...6).map { .integer(Int64(r * 10 + $0)) } }
        try db.execute("INSERT INTO t VALUES " + rows.joined(separator: ", "), values)
        let back = try db.execute("SELECT a, b, g FROM t WHERE a = $1 OR a = $2 ORDER BY a", [.text("r7"), .text("r199")])
        #expect(back == [[.text("r199"), .integer(1991), .integer(1996)], [.text("r7"), .integer(71), .integer(76)]])
        let reused = try db.execute("SELECT COUNT(*) FROM t WHERE b >= $1 AND c >= $1 AND a <> $2", [.integer(1991), .text("x")])
        #expect(reused == [[.integer(1)]])
    }

    /// A statement kept prepared binds fresh values on every call, stays usable after one of its runs fails,
    /// and the cache starting over (more distinct statements than it keeps) changes no answer.
    @Test func preparedStatementsAreReusedAndStayCorrect() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE t (a TEXT PRIMARY KEY, b INTEGER)", [])
        let insert = "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        for round in 0..<3 {
            try db.executePrepared(insert, [.text("x\(round)"), .integer(Int64(round)), .text("y\(round)"), .integer(-1)])
        }
        // A duplicate key fails this run only.
        #expect(throws: SQLError.self) { try db.executePrepared(insert, [.text("x0"), .integer(9), .text("z"), .integer(9)]) }
        try db.executePrepared(insert, [.text("x9"), .integer(9), .text("y9"), .integer(9)])
        for n in 0..<40 {  // more distinct texts than the cache keeps
            let rows = try db.executePrepared("SELECT COUNT(*) + \(n) FROM t WHERE b >= $1", [.integer(0)])
            #expect(rows == [[.integer(Int64(5 + n))]])
        }
        #expect(try db.executePrepared("SELECT b FROM t WHERE a = $1", [.text("x2")]) == [[.integer(2)]])
        #expect(try db.executePrepared("SELECT b FROM t WHERE a = $1", [.text("y9")]) == [[.integer(9)]])
    }

    @Test func conflictsAndReturningWork() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try openSQLConnection("sqlite:" + path)
        #expect(db.kind == "sqlite")
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, v DOUBLE PRECISION)", [])
        let first = try db.execute("INSERT INTO t VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING RETURNING id",
                                   [.text("a"), .double(1), .text("b"), .double(2)])
        #expect(Set(first.compactMap { $0.first?.string }) == ["a", "b"])
        let second = try db.execute("INSERT INTO t VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id", [.text("a"), .double(3)])
        #expect(second.isEmpty)
    }

    @Test func errorsAreThrownNotTrapped() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        #expect(throws: SQLError.self) { try db.execute("SELEC nonsense", []) }
        #expect(throws: SQLError.self) { try db.execute("SELECT * FROM missing", []) }
        #expect(throws: SQLError.self) { try SQLiteConnection(path: "/nonexistent-dir-\(UUID().uuidString)/x.sqlite") }
        // A transaction that throws rolls back.
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", [])
        #expect(throws: SQLError.self) {
            try db.transaction { () throws(SQLError) in
                try db.execute("INSERT INTO t VALUES (1)", [])
                try db.execute("INSERT INTO t VALUES (1)", [])
            }
        }
        #expect(try db.execute("SELECT COUNT(*) FROM t", []).first?.first?.integer == 0)
    }

    @Test func postgresConnectionFailsFastWhenNoServerListens() {
        #expect(throws: SQLError.self) { try PostgresConnection("postgresql://tandem@127.0.0.1:1/postgres") }
    }
}
