import Foundation

/// Extracts a `model.tar.gz` (or a plain `.tar`) into a directory of its own, refusing anything that could
/// write outside it or exhaust the disk: entries with `..` or an absolute path, symbolic links whose target
/// leaves the directory, hard links to anything but a file extracted before, entries that would pass through
/// or replace a symbolic link, devices and FIFOs, and archives past `ArchiveLimits` (bytes or entries).
/// The error names the entry. On any refusal the partly extracted directory is removed, so nothing is left.
///
/// Each check is made before anything of that entry is written, and content is streamed to disk in chunks.
public enum ArchiveExtractor {
    /// What was extracted.
    public struct Summary: Sendable, Equatable {
        public var entries: Int
        public var bytes: Int
    }

    /// Extracts `archive` into `directory`, which must not exist yet (it is created, with its parents).
    public static func extract(archive: String, into directory: String, limits: ArchiveLimits) throws(ArchiveError) -> Summary {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: directory) else {
            throw ArchiveError(entry: nil, "the extraction directory \(directory) already exists")
        }
        let source: any ByteSource
        if isGzip(archive) {
            source = try GzipStream(path: archive)
        } else {
            source = try PlainFileSource(path: archive)
        }
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError(entry: nil, "cannot create \(directory): \(error.localizedDescription)")
        }
        var extraction = Extraction(root: directory, limits: limits)
        do {
            let reader = TarReader(source: source)
            while let entry = try reader.next() {
                try extraction.add(entry, reader: reader)
            }
        } catch {
            try? fm.removeItem(atPath: directory)
            throw error
        }
        return Summary(entries: extraction.entries, bytes: extraction.bytes)
    }

    static func isGzip(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        let magic = (try? file.read(upToCount: 2)) ?? nil
        return magic.map { [UInt8]($0) } == [0x1f, 0x8b]
    }

    /// The components of an entry's path inside the target (empty for the target itself, as `./` is).
    static func components(of path: String) throws(ArchiveError) -> [String] {
        guard !path.hasPrefix("/") else {
            throw ArchiveError(entry: path, "absolute path: entries must be relative to the model directory")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else {
            throw ArchiveError(entry: path, "'..' in the path leads out of the model directory")
        }
        return parts
    }

    /// Resolves a symbolic link's target against the link's own directory; nil when it leaves the root.
    static func resolve(link target: String, from parent: [String]) -> [String]? {
        guard !target.hasPrefix("/"), !target.isEmpty else { return nil }
        var resolved = parent
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !resolved.isEmpty else { return nil }
                resolved.removeLast()
            default: resolved.append(String(part))
            }
        }
        return resolved
    }
}

/// The state of one extraction: what was written so far and the running totals.
private struct Extraction {
    let root: String
    let limits: ArchiveLimits
    var entries = 0
    var bytes = 0
    /// Regular files written, by their components joined with "/" (hard links may only name these).
    var files: Set<String> = []
    let fm = FileManager.default

    init(root: String, limits: ArchiveLimits) {
        self.root = root
        self.limits = limits
    }

    mutating func add(_ entry: TarEntry, reader: TarReader) throws(ArchiveError) {
        entries += 1
        guard entries <= limits.maxEntries else {
            throw ArchiveError(entry: entry.path, "the archive holds more than \(limits.maxEntries) entries (TANDEM_ARCHIVE_MAX_FILES)")
        }
        let parts = try ArchiveExtractor.components(of: entry.path)
        switch entry.kind {
        case .unsupported(let type):
            throw ArchiveError(entry: entry.path, "\(type) entries are not extracted (only files, directories and links inside)")
        case .directory:
            try makeParents(parts + ["."], entry: entry.path)
        case .file:
            guard !parts.isEmpty else { throw ArchiveError(entry: entry.path, "a file entry without a name") }
            guard bytes + entry.size <= limits.maxBytes else {
                throw ArchiveError(
                    entry: entry.path,
                    "the archive expands beyond \(limits.maxBytes) bytes (TANDEM_ARCHIVE_MAX_BYTES); this entry alone is \(entry.size)")
            }
            bytes += entry.size
            let path = try prepare(parts, entry: entry.path)
            try write(path, entry: entry, reader: reader)
            files.insert(parts.joined(separator: "/"))
        case .symlink(let target):
            guard !parts.isEmpty else { throw ArchiveError(entry: entry.path, "a link entry without a name") }
            guard ArchiveExtractor.resolve(link: target, from: Array(parts.dropLast())) != nil else {
                throw ArchiveError(entry: entry.path, "symbolic link to '\(target)' points outside the model directory")
            }
            let path = try prepare(parts, entry: entry.path)
            do {
                try fm.createSymbolicLink(atPath: path, withDestinationPath: target)
            } catch {
                throw ArchiveError(entry: entry.path, "cannot create the link: \(error.localizedDescription)")
            }
        case .hardlink(let target):
            guard !parts.isEmpty else { throw ArchiveError(entry: entry.path, "a link entry without a name") }
            let targetParts: [String]
            do {
                targetParts = try ArchiveExtractor.components(of: target)
            } catch {
                throw ArchiveError(entry: entry.path, "hard link to '\(target)' points outside the model directory")
            }
            let key = targetParts.joined(separator: "/")
            guard files.contains(key) else {
                throw ArchiveError(entry: entry.path, "hard link to '\(target)', which is not a file extracted before it")
            }
            let path = try prepare(parts, entry: entry.path)
            let source = root + "/" + key
            let size = ((try? fm.attributesOfItem(atPath: source))?[.size] as? NSNumber)?.intValue ?? 0
            guard bytes + size <= limits.maxBytes else {
                throw ArchiveError(entry: entry.path, "the archive expands beyond \(limits.maxBytes) bytes (TANDEM_ARCHIVE_MAX_BYTES)")
            }
            bytes += size
            do {
                // A copy, not a link: the two names stay independent and both stay inside.
                try fm.copyItem(atPath: source, toPath: path)
            } catch {
                throw ArchiveError(entry: entry.path, "cannot copy '\(target)': \(error.localizedDescription)")
            }
            files.insert(parts.joined(separator: "/"))
        }
    }

    /// Creates the entry's parent directories (refusing to pass through a link) and checks that its own
    /// path is free or a plain file it may replace; returns the absolute path.
    private func prepare(_ parts: [String], entry: String) throws(ArchiveError) -> String {
        try makeParents(parts, entry: entry)
        let path = root + "/" + parts.joined(separator: "/")
        if isSymlink(path) {
            throw ArchiveError(entry: entry, "it would replace the symbolic link extracted before it")
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw ArchiveError(entry: entry, "a directory of that name exists") }
            try? fm.removeItem(atPath: path)
        }
        return path
    }

    /// Makes every directory above the last component, each a real directory, never a link.
    private func makeParents(_ parts: [String], entry: String) throws(ArchiveError) {
        var path = root
        for part in parts.dropLast() {
            path += "/" + part
            if isSymlink(path) {
                throw ArchiveError(entry: entry, "its path passes through the symbolic link '\(part)'")
            }
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw ArchiveError(entry: entry, "'\(part)' in its path is a file") }
                continue
            }
            do {
                try fm.createDirectory(atPath: path, withIntermediateDirectories: false)
            } catch {
                throw ArchiveError(entry: entry, "cannot create directory '\(part)': \(error.localizedDescription)")
            }
        }
    }

    private func isSymlink(_ path: String) -> Bool {
        (try? fm.destinationOfSymbolicLink(atPath: path)) != nil
    }

    private func write(_ path: String, entry: TarEntry, reader: TarReader) throws(ArchiveError) {
        guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ArchiveError(entry: entry.path, "cannot create the file")
        }
        defer { try? handle.close() }
        var written = 0
        while written < entry.size {
            let chunk = try reader.readContent(64 << 10)
            guard !chunk.isEmpty else { break }
            do {
                try handle.write(contentsOf: chunk)
            } catch {
                throw ArchiveError(entry: entry.path, "cannot write: \(error.localizedDescription)")
            }
            written += chunk.count
        }
    }
}

/// An uncompressed `.tar` file.
final class PlainFileSource: ByteSource {
    private let file: FileHandle

    init(path: String) throws(ArchiveError) {
        guard let file = FileHandle(forReadingAtPath: path) else { throw ArchiveError(entry: nil, "cannot open \(path)") }
        self.file = file
    }

    deinit { try? file.close() }

    func read(_ count: Int) throws(ArchiveError) -> [UInt8] {
        do {
            return try file.read(upToCount: count).map { [UInt8]($0) } ?? []
        } catch {
            throw ArchiveError(entry: nil, "cannot read the archive: \(error.localizedDescription)")
        }
    }
}
