import CZlib
import Foundation

/// Streams the decompressed bytes of a gzip file through zlib's inflate, a chunk at a time, so a
/// decompression bomb is never held in memory: the caller stops reading once its own limits are hit.
/// Concatenated gzip members are read one after another, as `gzip -d` does.
///
/// The only Swift file that touches zlib (the `fence` suite checks it).
final class GzipStream {
    private let file: FileHandle
    private let path: String
    // zlib's state; it holds pointers into Swift buffers only during `inflateOnce` (see there).
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var fileEnded = false
    private var finished = false
    private var initialized = false
    private static let chunk = 64 << 10

    init(path: String) throws(ArchiveError) {
        self.path = path
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw ArchiveError(entry: nil, "cannot open \(path)")
        }
        self.file = file
        // 15 + 32: the largest window, and accept a gzip (or zlib) header.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            try? file.close()
            throw ArchiveError(entry: nil, "\(path): zlib could not start (status \(status))")
        }
        initialized = true
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        try? file.close()
    }

    /// Up to `count` decompressed bytes; fewer only at the end of the data (empty when it has ended).
    func read(_ count: Int) throws(ArchiveError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var produced = 0
        while produced < count && !finished {
            if inputOffset == input.count {
                if fileEnded {
                    throw ArchiveError(entry: nil, "\(path): the gzip data ends early (truncated file)")
                }
                refill()
                if input.isEmpty {
                    fileEnded = true
                    continue
                }
            }
            let status = inflateStep(into: &output, at: produced, produced: &produced)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow (as `cat a.gz b.gz` makes); trailing zero padding ends the data.
                if inputOffset == input.count { refill() }
                if input.isEmpty || input[inputOffset...].allSatisfy({ $0 == 0 }) {
                    finished = true
                } else {
                    inflateReset(&stream)
                }
            default:
                throw ArchiveError(entry: nil, "\(path) is not valid gzip data (zlib status \(status))")
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// One `inflate` call from the unread input into `output[offset...]`.
    private func inflateStep(into output: inout [UInt8], at offset: Int, produced: inout Int) -> Int32 {
        let step = inflateOnce(&stream, from: input, at: inputOffset, into: &output, at: offset, room: output.count - offset)
        inputOffset += step.read
        produced = offset + step.written
        return step.status
    }

    /// Replaces consumed input with the next chunk of the file (empty at its end).
    private func refill() {
        let data = (try? file.read(upToCount: Self.chunk)) ?? nil
        input = data.map { [UInt8]($0) } ?? []
        inputOffset = 0
    }
}

/// Why an in-memory body could not be inflated.
public enum InflateError: Error, Sendable, Equatable {
    /// The data would expand beyond the caller's limit (a decompression bomb, or simply too large).
    case tooLarge(limit: Int)
    /// The bytes are not gzip or zlib data, or they end early; zlib's reason.
    case invalid(String)
}

/// Inflates an HTTP body sent with `Content-Encoding: gzip` or `deflate` (which HTTP defines as zlib's
/// format; both are recognised from their header). Output grows a chunk at a time and stops with
/// `tooLarge` as soon as it would pass `limit`, so a small bomb never becomes a large allocation.
public func inflateBody(_ compressed: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
    var stream = z_stream()
    // 15 + 32: the largest window, and accept a gzip or a zlib header.
    let started = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard started == Z_OK else { throw .invalid("zlib could not start (status \(started))") }
    defer { inflateEnd(&stream) }
    var output: [UInt8] = []
    // Each `inflate` call writes into this chunk; what it wrote is appended to `output` (a bulk copy).
    var scratch = [UInt8](repeating: 0, count: 64 << 10)
    var consumed = 0
    while true {
        let room = min(scratch.count, limit + 1 - output.count)
        let (status, read, written) = inflateOnce(&stream, from: compressed, at: consumed, into: &scratch, at: 0, room: room)
        consumed += read
        output.append(contentsOf: scratch[0..<written])
        // One byte past the limit was allowed in so that data ending exactly at the limit passes.
        guard output.count <= limit else { throw .tooLarge(limit: limit) }
        switch status {
        case Z_STREAM_END:
            guard consumed == compressed.count else {
                throw .invalid("\(compressed.count - consumed) bytes follow the end of the compressed data")
            }
            return output
        case Z_OK:
            continue
        case Z_BUF_ERROR:
            // No progress with room to write: the input is used up before the data's end.
            guard read > 0 || written > 0 else { throw .invalid("the compressed data ends early") }
            continue
        default:
            let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw .invalid("not valid gzip or zlib data (\(reason))")
        }
    }
}

/// One `inflate` call from `input[inputOffset...]` into `output[offset..<offset + room]`: zlib's status and the
/// bytes it read and wrote. The one place zlib is handed pointers: `next_in`/`next_out` point into the two
/// buffers only during the call (inside both closures) and are cleared before they return, so no pointer
/// outlives its buffer (zlib keeps its own copy of the window, not ours; it never writes through `next_in`).
private func inflateOnce(
    _ stream: inout z_stream, from input: [UInt8], at inputOffset: Int, into output: inout [UInt8], at offset: Int, room: Int
) -> (status: Int32, read: Int, written: Int) {
    input.withUnsafeBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            guard let outBase = outBuffer.baseAddress else { return (Z_BUF_ERROR, 0, 0) }
            let available = inBuffer.count - inputOffset
            stream.next_in = inBuffer.baseAddress.map { UnsafeMutablePointer(mutating: $0 + inputOffset) }
            stream.avail_in = UInt32(clamping: available)
            stream.next_out = outBase + offset
            stream.avail_out = UInt32(clamping: room)
            let status = inflate(&stream, Z_NO_FLUSH)
            let read = available - Int(stream.avail_in)
            let written = room - Int(stream.avail_out)
            stream.next_in = nil
            stream.next_out = nil
            return (status, read, written)
        }
    }
}
