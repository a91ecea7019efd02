import Foundation
import Testing

@testable import TandemArchive

/// Safe extraction: what a model.tar.gz may hold, what is refused (naming the entry), and that a refused
/// archive leaves nothing behind, inside the target or outside it.
@Suite("Archive extraction")
struct ArchiveExtractorTests {
    /// A scratch directory: `archive` is written at its top, extraction goes to `out/model`, and `outside`
    /// is a sibling that hostile entries aim at.
    final class Scratch {
        let root: String
        init() throws {
            root = NSTemporaryDirectory() + "tandem-archive-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }
        var archive: String { root + "/model.tar.gz" }
        var target: String { root + "/out/model" }
        /// Everything under the scratch root except the archive itself.
        func everything() -> [String] {
            ((FileManager.default.subpaths(atPath: root)) ?? []).filter { !$0.hasPrefix("model.tar.gz") }.sorted()
        }
    }

    private func refuse(_ tar: TarWriter, limits: ArchiveLimits = ArchiveLimits(), entry: String, reason: String) throws {
        let scratch = try Scratch()
        try tar.write(to: scratch.archive, gzip: true)
        #expect(throws: ArchiveError.self) { _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: limits) }
        do {
            _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target + "2", limits: limits)
        } catch {
            #expect(error.entry == entry)
            #expect(error.reason.contains(reason), "\(error)")
        }
        // Nothing created: not the target, not anything outside it.
        #expect(scratch.everything() == ["out"])
    }

    @Test func extractsFilesDirectoriesAndInsideLinks() throws {
        let scratch = try Scratch()
        var tar = TarWriter()
        tar.add("./", type: "5")
        tar.add("./model.onnx", content: Array("onnx bytes".utf8))
        tar.add("./repo/", type: "5")
        tar.add("./repo/a/1/model.onnx", content: [UInt8](repeating: 7, count: 1500))
        tar.add("./latest", type: "2", link: "repo/a/1")
        tar.add("./copy.onnx", type: "1", link: "./model.onnx")
        try tar.write(to: scratch.archive, gzip: true)
        let summary = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: ArchiveLimits())
        #expect(summary.bytes == 10 + 1500 + 10)
        #expect(try String(contentsOfFile: scratch.target + "/model.onnx", encoding: .utf8) == "onnx bytes")
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.target + "/latest/model.onnx")).count == 1500)
        #expect(try String(contentsOfFile: scratch.target + "/copy.onnx", encoding: .utf8) == "onnx bytes")
    }

    @Test func readsPaxLongNamesAndPlainTar() throws {
        let scratch = try Scratch()
        let long = String(repeating: "d", count: 120) + "/model.onnx"
        var tar = TarWriter()
        tar.pax(["path": long])
        tar.add("placeholder", content: Array("x".utf8))
        try tar.write(to: scratch.archive, gzip: false)
        _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: ArchiveLimits())
        #expect(FileManager.default.fileExists(atPath: scratch.target + "/" + long))
    }

    @Test func refusesDotDot() throws {
        var tar = TarWriter()
        tar.add("ok.txt", content: [1])
        tar.add("../escape.txt", content: Array("x".utf8))
        try refuse(tar, entry: "../escape.txt", reason: "'..'")
        var nested = TarWriter()
        nested.add("a/../../escape.txt", content: [1])
        try refuse(nested, entry: "a/../../escape.txt", reason: "'..'")
    }

    @Test func refusesAbsolutePaths() throws {
        let name = "/tmp/tandem-absolute-\(UUID().uuidString)"
        var tar = TarWriter()
        tar.add(name, content: [1])
        try refuse(tar, entry: name, reason: "absolute path")
        #expect(!FileManager.default.fileExists(atPath: name))
    }

    @Test func refusesLinksPointingOutside() throws {
        var up = TarWriter()
        up.add("evil", type: "2", link: "../../etc")
        try refuse(up, entry: "evil", reason: "points outside")
        var absolute = TarWriter()
        absolute.add("evil", type: "2", link: "/etc/passwd")
        try refuse(absolute, entry: "evil", reason: "points outside")
        var hard = TarWriter()
        hard.add("evil", type: "1", link: "../outside.txt")
        try refuse(hard, entry: "evil", reason: "points outside")
        // A link inside, then an entry written through it: refused, so a chain of links cannot escape.
        var through = TarWriter()
        through.add("here", type: "2", link: ".")
        through.add("here/file", content: [1])
        try refuse(through, entry: "here/file", reason: "symbolic link")
    }

    @Test func refusesDevicesAndFIFOs() throws {
        for (type, kind) in [("3", "character device"), ("4", "block device"), ("6", "FIFO")] {
            var tar = TarWriter()
            tar.add("dev-\(type)", type: Character(type))
            try refuse(tar, entry: "dev-\(type)", reason: kind)
        }
    }

    @Test func refusesArchivesPastTheLimits() throws {
        var big = TarWriter()
        big.add("a.bin", content: [UInt8](repeating: 1, count: 600))
        big.add("b.bin", content: [UInt8](repeating: 1, count: 600))
        try refuse(big, limits: ArchiveLimits(maxBytes: 1000, maxEntries: 100), entry: "b.bin", reason: "TANDEM_ARCHIVE_MAX_BYTES")
        var many = TarWriter()
        for index in 0..<5 { many.add("f\(index)", content: [1]) }
        try refuse(many, limits: ArchiveLimits(maxBytes: 1 << 20, maxEntries: 3), entry: "f3", reason: "TANDEM_ARCHIVE_MAX_FILES")
        // A size in the header larger than the limit is refused before anything is read or written.
        var bomb = TarWriter()
        bomb.add("bomb.bin", content: [], size: (1 << 33) - 1)
        try refuse(bomb, limits: ArchiveLimits(maxBytes: 1 << 20, maxEntries: 10), entry: "bomb.bin", reason: "TANDEM_ARCHIVE_MAX_BYTES")
    }

    @Test func refusesCorruptAndTruncatedData() throws {
        let scratch = try Scratch()
        try Data("not a tar at all, just text that is long enough".utf8).write(to: URL(fileURLWithPath: scratch.archive))
        #expect(throws: ArchiveError.self) { _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: ArchiveLimits()) }
        var tar = TarWriter()
        tar.add("model.onnx", content: [UInt8](repeating: 3, count: 4000))
        try Data(tar.bytes.prefix(2000)).write(to: URL(fileURLWithPath: scratch.archive))
        #expect(throws: ArchiveError.self) { _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: ArchiveLimits()) }
        #expect(scratch.everything() == ["out"])
    }

    @Test func refusesAnExistingTarget() throws {
        let scratch = try Scratch()
        var tar = TarWriter()
        tar.add("model.onnx", content: [1])
        try tar.write(to: scratch.archive, gzip: true)
        try FileManager.default.createDirectory(atPath: scratch.target, withIntermediateDirectories: true)
        #expect(throws: ArchiveError.self) { _ = try ArchiveExtractor.extract(archive: scratch.archive, into: scratch.target, limits: ArchiveLimits()) }
    }
}
