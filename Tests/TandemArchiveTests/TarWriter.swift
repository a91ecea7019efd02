import Foundation

/// Writes tar archives byte by byte for the tests, including the hostile entries no well-behaved tool makes.
struct TarWriter {
    private(set) var bytes: [UInt8] = []

    /// Appends one ustar header (type flag `type`) and `content` padded to 512 bytes.
    mutating func add(_ name: String, type: Character = "0", content: [UInt8] = [], link: String = "", size: Int? = nil) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, length: Int) {
            for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, length: Int) {
            let text = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, length - 1 - text.count)) + text, at: offset, length: length - 1)
        }
        put(name, at: 0, length: 100)
        octal(0o644, at: 100, length: 8)
        octal(0, at: 108, length: 8)
        octal(0, at: 116, length: 8)
        octal(size ?? content.count, at: 124, length: 12)
        octal(0, at: 136, length: 12)
        header[156] = type.asciiValue ?? 0x30
        put(link, at: 157, length: 100)
        put("ustar", at: 257, length: 6)
        put("00", at: 263, length: 2)
        for index in 148..<156 { header[index] = 32 }
        let sum = header.reduce(0) { $0 + Int($1) }
        octal(sum, at: 148, length: 7)
        bytes += header
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    /// A pax extended header carrying `records` for the entry after it.
    mutating func pax(_ records: [String: String]) {
        var data: [UInt8] = []
        for (key, value) in records.sorted(by: { $0.key < $1.key }) {
            let body = " \(key)=\(value)\n"
            var length = body.utf8.count + 1
            while String(length).count + body.utf8.count != length { length = String(length).count + body.utf8.count }
            data += Array("\(length)\(body)".utf8)
        }
        add("PaxHeader", type: "x", content: data)
    }

    /// The archive with its two end blocks.
    var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    /// Writes the archive to `path`, gzipped with the system's gzip when `gzip` is true.
    func write(to path: String, gzip: Bool = false) throws {
        try Data(archive).write(to: URL(fileURLWithPath: gzip ? path + ".raw" : path))
        guard gzip else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c '\(path).raw' > '\(path)' && rm '\(path).raw'"]
        try process.run()
        process.waitUntilExit()
    }
}
