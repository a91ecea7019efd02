import Foundation

/// The memory a training run needs, estimated from the channel files before any is parsed, and the
/// memory the machine (or container) has, so that data too large is refused at once.
///
/// Per value (row × feature): 4 bytes (float32) + 1 byte (histogram bin) for gbtree, + 8 (float64 copy)
/// for gblinear; per row: about 48 bytes + 16 per class (label, margins, gradients, row indices);
/// plus the largest file twice while it is parsed (its bytes and their copy), plus 64 MiB.
struct MemoryBudget {
    var rows: Int
    var features: Int
    var largestFile: Int
    var columns: Int
    var linear: Bool

    var bytesPerValue: Int { linear ? 13 : 5 }
    var bytesPerRow: Int { 48 + 16 * columns }

    var needed: Int { rows * features * bytesPerValue + rows * bytesPerRow + 2 * largestFile + (64 << 20) }

    /// Estimates rows and features from the files' sizes and the first 1 MiB of the first file.
    static func estimate(files: [String], format: DataFormat, columns: Int, linear: Bool) -> MemoryBudget {
        var total = 0
        var largest = 0
        for f in files {
            let size = ((try? FileManager.default.attributesOfItem(atPath: f))?[.size] as? NSNumber)?.intValue ?? 0
            total += size
            largest = max(largest, size)
        }
        var rowsPerByte = 0.0
        var features = 1
        if let first = files.first, let handle = FileHandle(forReadingAtPath: first) {
            let sample = (try? handle.read(upToCount: 1 << 20)) ?? Data()
            try? handle.close()
            let bytes = [UInt8](sample)
            var lines = 0
            var widest = 0
            var fields = 0
            var maxIndex = 0
            var token = [UInt8]()
            for b in bytes {
                switch format {
                case .csv:
                    if b == 0x2C { fields += 1 }
                case .libsvm:
                    if b == 0x3A, let i = Int(String(decoding: token, as: UTF8.self)) {
                        maxIndex = max(maxIndex, i)
                    }
                    if b == 0x20 || b == 0x0A { token.removeAll(keepingCapacity: true) } else { token.append(b) }
                }
                if b == 0x0A {
                    lines += 1
                    widest = max(widest, fields)
                    fields = 0
                }
            }
            if lines == 0 && !bytes.isEmpty { lines = 1; widest = fields }
            rowsPerByte = bytes.isEmpty ? 0 : Double(lines) / Double(bytes.count)
            features = max(1, format == .csv ? widest : maxIndex + 1)
        }
        return MemoryBudget(rows: Int(Double(total) * rowsPerByte), features: features, largestFile: largest, columns: columns, linear: linear)
    }

    /// Memory available: MemAvailable from /proc/meminfo, lowered to the cgroup's limit when there is one.
    static func available() -> Int? {
        var result: Int?
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let parts = line.split(separator: " ")
                if parts.count >= 2, let kb = Int(parts[1]) { result = kb * 1024 }
            }
        }
        if let limit = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8), let bytes = Int(limit.trimmed) {
            let used = (try? String(contentsOfFile: "/sys/fs/cgroup/memory.current", encoding: .utf8)).flatMap { Int($0.trimmed) } ?? 0
            result = min(result ?? Int.max, bytes - used)
        }
        return result
    }

    static func describe(_ bytes: Int) -> String {
        let gib = Double(bytes) / Double(1 << 30)
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
