/// Why an archive was refused, naming the entry at fault when there is one.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive entry's path as written in the archive (nil for a fault of the archive as a whole).
    public var entry: String?
    public var reason: String

    public init(entry: String?, _ reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String {
        entry.map { "entry '\($0)': \(reason)" } ?? reason
    }
}

/// The bounds one extraction may not exceed (`TANDEM_ARCHIVE_MAX_BYTES`, `TANDEM_ARCHIVE_MAX_FILES`).
public struct ArchiveLimits: Sendable, Equatable {
    /// Bytes of file content the archive may expand to.
    public var maxBytes: Int
    /// Entries (files, directories, links) it may hold.
    public var maxEntries: Int

    public init(maxBytes: Int = 4 << 30, maxEntries: Int = 10_000) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
    }
}
