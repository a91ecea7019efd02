import TandemJSON

/// A request body Tandem cannot turn into model inputs, or a format it cannot speak.
///
/// Always answered with `status` (400, 406 or 415) and a JSON body that names the row, the column,
/// what was expected and what came, where those apply.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status to answer with.
    public var status: Int
    /// Machine-readable code (`bad_cell`, `wrong_feature_count`, `malformed_json`, ...).
    public var code: String
    /// A sentence saying what was wrong.
    public var message: String
    /// 1-based record (row) number, when one row is at fault.
    public var row: Int?
    /// 1-based column (feature) number within the row, when one cell is at fault.
    public var column: Int?
    /// What the model expected there.
    public var expected: String?
    /// What came instead (truncated to 64 characters).
    public var got: String?

    public init(
        status: Int = 400, code: String, message: String, row: Int? = nil, column: Int? = nil,
        expected: String? = nil, got: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.row = row
        self.column = column
        self.expected = expected
        self.got = got.map { $0.count > 64 ? String($0.prefix(61)) + "..." : $0 }
    }

    public var description: String { message }

    /// The extra JSON members (`"row":3,"column":5,...`) for the error body.
    public var jsonMembers: [(String, String)] {
        var members: [(String, String)] = []
        if let row { members.append(("row", String(row))) }
        if let column { members.append(("column", String(column))) }
        if let expected { members.append(("expected", JSONWriter.quoted(expected))) }
        if let got { members.append(("got", JSONWriter.quoted(got))) }
        return members
    }
}
