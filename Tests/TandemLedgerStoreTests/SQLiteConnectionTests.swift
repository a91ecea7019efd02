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
