import TandemLedgerStore

/// The experiment ledger's tables and statements: the same SQL on SQLite and PostgreSQL (documented in
/// docs/variants.md for teams that write outcomes straight into `tandem_outcomes`).
enum LedgerSchema {
    /// The tables for a database of `kind`: on SQLite the keyed tables are `WITHOUT ROWID` (the row lives
    /// in its primary key's B-tree, one insert instead of a rowid table's two; the rows are far below the
    /// twentieth of a page where SQLite recommends it). A file made before keeps its tables as they are.
    static func create(for kind: String) -> [String] {
        guard kind == "sqlite" else { return create }
        return create.map { $0.contains("PRIMARY KEY") ? $0 + " WITHOUT ROWID" : $0 }
    }

    static let create = [
        """
        CREATE TABLE IF NOT EXISTS tandem_assignments (
            endpoint TEXT NOT NULL,
            request_id TEXT NOT NULL,
            variant TEXT NOT NULL,
            model_version TEXT NOT NULL,
            assigned_at DOUBLE PRECISION NOT NULL,
            probability DOUBLE PRECISION NOT NULL,
            replica TEXT NOT NULL,
            PRIMARY KEY (endpoint, request_id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_outcomes (
            endpoint TEXT NOT NULL,
            request_id TEXT NOT NULL,
            value DOUBLE PRECISION NOT NULL,
            recorded_at DOUBLE PRECISION NOT NULL,
            source TEXT NOT NULL DEFAULT 'external',
            PRIMARY KEY (endpoint, request_id)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_experiment_starts (
            endpoint TEXT NOT NULL,
            started_at DOUBLE PRECISION NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS tandem_state (
            endpoint TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (endpoint, name)
        )
        """,
    ]

    /// Rows per multi-row INSERT (7 parameters a row stays far below both databases' parameter limits).
    static let rowsPerInsert = 200

    static func insertAssignments(rows: Int) -> String {
        "INSERT INTO tandem_assignments (endpoint, request_id, variant, model_version, assigned_at, probability, replica) VALUES "
            + placeholders(rows: rows, columns: 7) + " ON CONFLICT DO NOTHING"
    }

    /// The insert of a full batch (`rowsPerInsert` rows), built once.
    static let fullAssignmentsInsert = insertAssignments(rows: rowsPerInsert)
    static let fullOutcomesInsert = insertOutcomes(rows: rowsPerInsert, returning: false)

    static func insertOutcomes(rows: Int, returning: Bool) -> String {
        "INSERT INTO tandem_outcomes (endpoint, request_id, value, recorded_at, source) VALUES "
            + placeholders(rows: rows, columns: 5) + " ON CONFLICT DO NOTHING" + (returning ? " RETURNING request_id" : "")
    }

    /// `$1` ... `$n` for the request ids after the endpoint (`$1`).
    static func knownAssignments(ids: Int) -> String {
        "SELECT request_id, variant FROM tandem_assignments WHERE endpoint = $1 AND request_id IN ("
            + (0..<ids).map { "$\($0 + 2)" }.joined(separator: ", ") + ")"
    }

    /// Per variant: outcomes, mean and the sum of squared deviations (two passes, so large values stay exact),
    /// counting outcomes recorded since the experiment's last start (`$2`).
    static let statistics = """
        WITH joined AS (
            SELECT a.variant AS variant, o.value AS value
            FROM tandem_outcomes o JOIN tandem_assignments a ON a.endpoint = o.endpoint AND a.request_id = o.request_id
            WHERE o.endpoint = $1 AND o.recorded_at >= $2
        ), means AS (
            SELECT variant, COUNT(*) AS n, AVG(value) AS mean FROM joined GROUP BY variant
        )
        SELECT means.variant, means.n, means.mean, SUM((joined.value - means.mean) * (joined.value - means.mean))
        FROM joined JOIN means ON joined.variant = means.variant
        GROUP BY means.variant, means.n, means.mean
        """

    static let assignmentCounts = """
        SELECT variant, COUNT(*), SUM(1.0 / probability) FROM tandem_assignments
        WHERE endpoint = $1 AND assigned_at >= $2 GROUP BY variant
        """

    static let lastStart = "SELECT MAX(started_at) FROM tandem_experiment_starts WHERE endpoint = $1"
    static let insertStart = "INSERT INTO tandem_experiment_starts (endpoint, started_at) VALUES ($1, $2)"

    static let readState = "SELECT name, value FROM tandem_state WHERE endpoint = $1"
    static let writeState = """
        INSERT INTO tandem_state (endpoint, name, value, updated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (endpoint, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """

    private static func placeholders(rows: Int, columns: Int) -> String {
        (0..<rows).map { row in
            "(" + (0..<columns).map { "$\(row * columns + $0 + 1)" }.joined(separator: ", ") + ")"
        }.joined(separator: ", ")
    }
}
