/// Where a tar stream's bytes come from (a gzip stream, or a plain file).
protocol ByteSource: AnyObject {
    /// Up to `count` bytes; fewer only at the end (empty when it has ended).
    func read(_ count: Int) throws(ArchiveError) -> [UInt8]
}

extension GzipStream: ByteSource {}

/// One member of a tar archive, after pax and GNU long-name headers are folded in.
struct TarEntry: Equatable {
    enum Kind: Equatable {
        case file
        case directory
        case symlink(target: String)
        case hardlink(target: String)
        /// Character or block device, FIFO, or a type Tandem does not extract (its type flag).
        case unsupported(type: String)
    }
    var path: String
    var kind: Kind
    /// Bytes of content that follow the header (files only).
    var size: Int
}

/// Reads ustar, pax (POSIX.1-2001, Python's default) and GNU tar headers from a stream.
///
/// Each header's checksum is verified; numeric fields are octal or GNU base-256; pax `path`, `linkpath`
/// and `size` records override the header's. The content of an entry is read with `readContent` before the
/// next `next()`; content left unread is skipped.
final class TarReader {
    private let source: any ByteSource
    private var remaining = 0
    private var padding = 0
    private var ended = false
    /// Bounds a pax or GNU long-name record, which is read into memory.
    static let maxMetadataBytes = 1 << 20

    init(source: any ByteSource) {
        self.source = source
    }

    /// The next entry, or nil at the end of the archive.
    func next() throws(ArchiveError) -> TarEntry? {
        try skipRest()
        var paxPath: String?
        var paxLink: String?
        var paxSize: Int?
        while !ended {
            let block = try readExactly(512, what: "a header")
            if block.allSatisfy({ $0 == 0 }) {
                // Two zero blocks end the archive; one is tolerated as the end too (some writers stop there).
                ended = true
                return nil
            }
            let name = Self.string(block, 0, 100)
            try Self.verifyChecksum(block, name: name)
            let type = block[156] == 0 ? "0" : String(UnicodeScalar(block[156]))
            guard let size = Self.number(block, 124, 12) else {
                throw ArchiveError(entry: name, "its size field is not a number")
            }
            let magic = Self.string(block, 257, 6)
            let prefix = magic.hasPrefix("ustar") ? Self.string(block, 345, 155) : ""
            let headerPath = prefix.isEmpty ? name : prefix + "/" + name
            switch type {
            case "x", "g", "L", "K":
                guard size <= Self.maxMetadataBytes else {
                    throw ArchiveError(entry: headerPath, "its metadata record of \(size) bytes exceeds \(Self.maxMetadataBytes)")
                }
                let data = try readExactly(size, what: "a metadata record")
                try skip(Self.padding(size))
                if type == "x" {
                    let records = try Self.paxRecords(data, entry: headerPath)
                    paxPath = records["path"] ?? paxPath
                    paxLink = records["linkpath"] ?? paxLink
                    if let text = records["size"] {
                        guard let value = Int(text), value >= 0 else {
                            throw ArchiveError(entry: headerPath, "its pax size '\(text)' is not a number")
                        }
                        paxSize = value
                    }
                } else if type == "L" {
                    paxPath = Self.cString(data)
                } else if type == "K" {
                    paxLink = Self.cString(data)
                }
                continue
            default:
                break
            }
            let path = paxPath ?? headerPath
            let link = paxLink ?? Self.string(block, 157, 100)
            let contentSize = paxSize ?? size
            let kind: TarEntry.Kind
            switch type {
            case "0", "7": kind = .file
            case "5": kind = .directory
            case "2": kind = .symlink(target: link)
            case "1": kind = .hardlink(target: link)
            case "3": kind = .unsupported(type: "character device")
            case "4": kind = .unsupported(type: "block device")
            case "6": kind = .unsupported(type: "FIFO")
            default: kind = .unsupported(type: "type '\(type)'")
            }
            // Only regular files carry content; a link or directory that claims some has it skipped.
            remaining = contentSize
            padding = Self.padding(contentSize)
            return TarEntry(path: path, kind: kind, size: kind == .file ? contentSize : 0)
        }
        return nil
    }

    /// Up to `count` bytes of the current entry's content (empty once it is all read).
    func readContent(_ count: Int) throws(ArchiveError) -> [UInt8] {
        let wanted = min(count, remaining)
        guard wanted > 0 else { return [] }
        let bytes = try readExactly(wanted, what: "an entry's content")
        remaining -= wanted
        return bytes
    }

    private func skipRest() throws(ArchiveError) {
        try skip(remaining + padding)
        remaining = 0
        padding = 0
    }

    private func skip(_ count: Int) throws(ArchiveError) {
        var left = count
        while left > 0 {
            let chunk = try readExactly(min(left, 64 << 10), what: "an entry's content")
            left -= chunk.count
        }
    }

    private func readExactly(_ count: Int, what: String) throws(ArchiveError) -> [UInt8] {
        var bytes = try source.read(count)
        while bytes.count < count {
            let more = try source.read(count - bytes.count)
            guard !more.isEmpty else {
                throw ArchiveError(entry: nil, "the archive ends in the middle of \(what) (truncated)")
            }
            bytes += more
        }
        return bytes
    }

    static func padding(_ size: Int) -> Int {
        (512 - size % 512) % 512
    }

    /// A NUL-terminated field.
    static func string(_ block: [UInt8], _ offset: Int, _ length: Int) -> String {
        cString(block[offset..<(offset + length)])
    }

    static func cString<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field (spaces and NULs around it), or GNU base-256 when its first byte has the high bit set.
    static func number(_ block: [UInt8], _ offset: Int, _ length: Int) -> Int? {
        let field = block[offset..<(offset + length)]
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var value = 0
            for (index, byte) in field.enumerated() {
                let digit = index == 0 ? Int(byte & 0x7f) : Int(byte)
                guard value <= (Int.max >> 8) else { return nil }
                value = value << 8 | digit
            }
            return value
        }
        let text = String(decoding: field.filter { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: " ")
        if text.isEmpty { return 0 }
        return Int(text, radix: 8).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// The header checksum: the sum of its bytes with the checksum field taken as spaces.
    static func verifyChecksum(_ block: [UInt8], name: String) throws(ArchiveError) {
        guard let stored = number(block, 148, 8) else {
            throw ArchiveError(entry: name, "its header checksum is not a number (not a tar archive?)")
        }
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int(byte) }
        guard sum == stored else {
            throw ArchiveError(entry: name.isEmpty ? nil : name, "header checksum mismatch (not a tar archive, or corrupt)")
        }
    }

    /// `"<length> <key>=<value>\n"` records.
    static func paxRecords(_ data: [UInt8], entry: String) throws(ArchiveError) -> [String: String] {
        var records: [String: String] = [:]
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: 32),
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)),
                length > 0, index + length <= data.count, space + 1 <= index + length - 1
            else {
                if data[index...].allSatisfy({ $0 == 0 }) { break }
                throw ArchiveError(entry: entry, "malformed pax record at byte \(index)")
            }
            let record = data[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: 61) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                records[key] = String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            index += length
        }
        return records
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
