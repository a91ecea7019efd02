import Foundation

/// How full the filesystem holding a path is, as `df` reports it: used / (used + available to
/// unprivileged users), in percent. nil when the path's filesystem cannot be read.
enum DiskUsage {
    static func percentUsed(at path: String) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: path),
            let size = (attributes[.systemSize] as? NSNumber)?.doubleValue,
            let free = (attributes[.systemFreeSize] as? NSNumber)?.doubleValue,
            size > 0
        else { return nil }
        return min(100, max(0, (size - free) / size * 100))
    }
}
