import Foundation
import Testing

@testable import TandemArchive

/// `inflateBody`: HTTP request bodies sent with `Content-Encoding: gzip` or `deflate`, compressed here by
/// the system's gzip and Python's zlib (the formats tritonclient sends), never by Tandem's own code.
@Suite struct InflateBodyTests {
    /// `bytes` through a shell filter (`gzip -c`, or python3's zlib for HTTP's deflate).
    static func compress(_ bytes: [UInt8], with command: String) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inflate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in").path
        let output = directory.appendingPathComponent("out").path
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(command) < '\(input)' > '\(output)'"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    static let gzip = "gzip -c"
    static let zlib = "python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))'"

    static var text: [UInt8] {
        Array((0..<20_000).map { "{\"row\":\($0),\"value\":\(Double($0) / 7)}\n" }.joined().utf8)
    }

    @Test(arguments: [gzip, zlib])
    func roundTripsBothFormats(_ command: String) throws {
        let original = Self.text
        let compressed = try Self.compress(original, with: command)
        #expect(compressed.count < original.count / 3)
        #expect(try inflateBody(compressed, limit: original.count) == original)
        #expect(try inflateBody(try Self.compress([], with: command), limit: 10) == [])
    }

    @Test func stopsAtTheLimitWithoutInflatingTheRest() throws {
        // 64 MiB of zeros compress to about 64 KiB: a bomb for a 1 MiB limit.
        let bomb = try Self.compress([UInt8](repeating: 0, count: 64 << 20), with: Self.gzip)
        #expect(bomb.count < 100_000)
        #expect(throws: InflateError.tooLarge(limit: 1 << 20)) { try inflateBody(bomb, limit: 1 << 20) }
        // Exactly at the limit is allowed.
        let exact = try Self.compress([UInt8](repeating: 7, count: 1000), with: Self.gzip)
        #expect(try inflateBody(exact, limit: 1000).count == 1000)
        #expect(throws: InflateError.tooLarge(limit: 999)) { try inflateBody(exact, limit: 999) }
    }

    @Test func refusesBrokenData() throws {
        let compressed = try Self.compress(Self.text, with: Self.gzip)
        func reason(_ bytes: [UInt8]) -> String? {
            do {
                _ = try inflateBody(bytes, limit: 1 << 24)
                return nil
            } catch {
                if case .invalid(let reason) = error { return reason }
                return "\(error)"
            }
        }
        #expect(reason(Array(compressed.prefix(compressed.count / 2)))?.contains("ends early") == true)
        #expect(reason(compressed + [1, 2, 3])?.contains("3 bytes follow") == true)
        #expect(reason(Array("{\"inputs\": []}".utf8))?.contains("not valid") == true)
        #expect(reason([])?.contains("ends early") == true)
        var corrupt = compressed
        corrupt[corrupt.count / 2] ^= 0xFF
        corrupt[corrupt.count / 2 + 1] ^= 0xFF
        #expect(reason(corrupt) != nil)
    }
}
