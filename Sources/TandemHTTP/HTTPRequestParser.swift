/// A request as the parser produced it, before the server assigns an id and timestamp.
struct ParsedRequest: Sendable {
    var method: HTTPMethod
    var target: String
    var versionMinor: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    /// Whether the connection may carry another request after this one.
    var keepAlive: Bool
}

/// What one `parse` call found.
enum HTTPParseEvent: Sendable {
    /// Every given byte was consumed; the request is not complete yet.
    case needMore
    /// The head asked for `Expect: 100-continue` and its body is allowed: send "100 Continue" now.
    case continueExpected
    /// A complete request.
    case request(ParsedRequest)
    /// The request is rejected; the connection must answer with the error and close.
    case error(HTTPParseError)
}

/// Incremental HTTP/1.x request parser over borrowed bytes (`Span<UInt8>`; no unsafe pointers).
///
/// Feed it whatever arrived; it consumes bytes up to the end of one event (a complete request, a 100-continue
/// point or an error) and reports how many it used, so pipelined bytes stay with the caller. Head bytes are
/// buffered only when a head spans reads; body bytes are copied once, straight into the request body.
struct HTTPRequestParser {
    /// Size limits.
    struct Limits: Sendable {
        var maxHeaderBytes: Int
        var maxBodyBytes: Int
        /// Longest chunk-size line (with extensions) accepted.
        var maxChunkLineBytes = 4096
    }

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkExtension
        case chunkSizeLF
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerLine
        case trailerEndLF
        case failed
    }

    let limits: Limits
    private var state: State = .head
    private var headBuffer: [UInt8] = []
    private var headStarted = false
    private var newlineState: UInt8 = 0
    private var head: ParsedRequest?
    private var continuePending = false
    private var chunkSize = 0
    private var chunkDigits = 0
    private var chunkLineBytes = 0
    private var trailerBytes = 0

    init(limits: Limits) {
        self.limits = limits
    }

    /// True when some bytes of a request have been consumed but the request is not complete.
    var hasPartialRequest: Bool {
        if case .head = state { return headStarted }
        if case .failed = state { return false }
        return true
    }

    /// True while the head is complete and body bytes are expected.
    var isReadingBody: Bool {
        switch state {
        case .head, .failed: false
        default: true
        }
    }

    /// Body bytes of the request being parsed received so far.
    var bodyBytesReceived: Int { head?.body.count ?? 0 }

    /// Body bytes the request being parsed will hold for sure: what arrived plus what Content-Length (or the
    /// current chunk's size) still promises. The connection reserves them from the buffered-body budget.
    var bodyCommitment: Int {
        let received = bodyBytesReceived
        switch state {
        case .body(let remaining): return received + remaining
        case .chunkData(let remaining): return received + remaining
        case .head, .failed: return 0
        default: return received
        }
    }

    /// Consumes bytes from `input` up to the next event.
    mutating func parse(_ input: Span<UInt8>) -> (event: HTTPParseEvent, consumed: Int) {
        var offset = 0
        while true {
            if continuePending {
                continuePending = false
                return (.continueExpected, offset)
            }
            switch state {
            case .failed:
                return (.error(.badRequest("connection already failed")), 0)
            case .head:
                let (result, used) = parseHead(input.extracting(offset...))
                offset += used
                switch result {
                case .needMore: return (.needMore, offset)
                case .failure(let error):
                    state = .failed
                    return (.error(error), offset)
                case .headComplete:
                    if let done = finishIfComplete() { return (done, offset) }
                }
            case .body(let remaining):
                let available = input.count - offset
                if available == 0 { return (.needMore, offset) }
                let take = min(remaining, available)
                appendBody(input.extracting(offset..<(offset + take)))
                offset += take
                if take == remaining {
                    if let done = finishRequest() { return (done, offset) }
                } else {
                    state = .body(remaining: remaining - take)
                }
            case .chunkData(let remaining):
                let available = input.count - offset
                if available == 0 { return (.needMore, offset) }
                let take = min(remaining, available)
                appendBody(input.extracting(offset..<(offset + take)))
                offset += take
                state = take == remaining ? .chunkDataCR : .chunkData(remaining: remaining - take)
            default:
                // Byte-at-a-time framing states (chunk lines, CRLFs, trailers).
                guard offset < input.count else { return (.needMore, offset) }
                let byte = input[offset]
                offset += 1
                if let event = step(byte) {
                    if case .error = event { state = .failed }
                    return (event, offset)
                }
            }
        }
    }

    // MARK: Head

    private enum HeadResult { case needMore, headComplete, failure(HTTPParseError) }

    private mutating func parseHead(_ input: Span<UInt8>) -> (HeadResult, Int) {
        var index = 0
        if !headStarted {
            // RFC 9112 §2.2: ignore empty lines before a request line.
            while index < input.count, input[index] == ASCII.cr || input[index] == ASCII.lf { index += 1 }
            if index == input.count { return (.needMore, index) }
            headStarted = true
            newlineState = 0
        }
        let start = index
        var end = -1
        var state = newlineState
        while index < input.count {
            let byte = input[index]
            index += 1
            if byte == ASCII.lf {
                if state != 0 { end = index; break }
                state = 1
            } else if byte == ASCII.cr {
                if state == 1 { state = 2 } else if state == 2 { state = 0 }
            } else {
                state = 0
            }
        }
        newlineState = state
        let headLength = headBuffer.count + (index - start)
        if headLength > limits.maxHeaderBytes {
            return (.failure(.headerTooLarge(limit: limits.maxHeaderBytes)), index)
        }
        guard end >= 0 else {
            headBuffer.append(copying: input.extracting(start..<index))
            return (.needMore, index)
        }
        let result: Result<ParsedRequest, HTTPParseError>
        if headBuffer.isEmpty {
            result = Self.parseHeadBlock(input.extracting(start..<end))
        } else {
            headBuffer.append(copying: input.extracting(start..<end))
            result = Self.parseHeadBlock(headBuffer.span)
            headBuffer.removeAll(keepingCapacity: headBuffer.capacity <= 8192)
        }
        headStarted = false
        newlineState = 0
        switch result {
        case .failure(let error):
            return (.failure(error), end)
        case .success(let parsed):
            switch framing(of: parsed) {
            case .failure(let error):
                return (.failure(error), end)
            case .success(let framing):
                head = parsed
                switch framing {
                case .none: self.state = .body(remaining: 0)
                case .length(let length):
                    self.state = .body(remaining: length)
                    head?.body.reserveCapacity(min(length, 64 * 1024))
                case .chunked:
                    self.state = .chunkSize
                    chunkSize = 0
                    chunkDigits = 0
                    chunkLineBytes = 0
                }
                if framing.hasBody, parsed.versionMinor >= 1,
                   let expect = parsed.headers["expect"], ASCII.equalsIgnoringCase(expect, "100-continue") {
                    continuePending = true
                }
                return (.headComplete, end)
            }
        }
    }

    /// After the head: a request with no body is complete at once (unless 100-continue is pending first).
    private mutating func finishIfComplete() -> HTTPParseEvent? {
        if case .body(remaining: 0) = state, !continuePending { return finishRequest() }
        return nil
    }

    private mutating func finishRequest() -> HTTPParseEvent? {
        guard let request = head else {
            state = .failed
            return .error(.badRequest("internal parser state"))
        }
        head = nil
        state = .head
        return .request(request)
    }

    private mutating func appendBody(_ bytes: Span<UInt8>) {
        head?.body.append(copying: bytes)
    }

    private enum Framing {
        case none, length(Int), chunked
        var hasBody: Bool {
            switch self {
            case .none: false
            case .length(let length): length > 0
            case .chunked: true
            }
        }
    }

    private func framing(of request: ParsedRequest) -> Result<Framing, HTTPParseError> {
        let transferEncodings = request.headers.values("transfer-encoding")
        let lengths = request.headers.values("content-length")
        if !transferEncodings.isEmpty {
            if !lengths.isEmpty {
                return .failure(.badRequest("both Content-Length and Transfer-Encoding"))
            }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace() }
            guard codings.count == 1, let only = codings.first, ASCII.equalsIgnoringCase(String(only), "chunked") else {
                return .failure(.notImplemented("Unsupported Transfer-Encoding: \(transferEncodings.joined(separator: ", "))"))
            }
            return .success(.chunked)
        }
        guard !lengths.isEmpty else { return .success(.none) }
        var length: Int?
        for value in lengths {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let parsed = Self.parseContentLength(part.trimmingASCIIWhitespace()) else {
                    return .failure(.badRequest("invalid Content-Length"))
                }
                if let length, length != parsed { return .failure(.badRequest("conflicting Content-Length values")) }
                length = parsed
            }
        }
        guard let length else { return .failure(.badRequest("invalid Content-Length")) }
        if length > limits.maxBodyBytes {
            return .failure(.payloadTooLarge(limit: limits.maxBodyBytes, declared: length))
        }
        return .success(length == 0 ? .none : .length(length))
    }

    private static func parseContentLength(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18 else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Parses a complete head block (request line, fields, terminating empty line).
    static func parseHeadBlock(_ block: Span<UInt8>) -> Result<ParsedRequest, HTTPParseError> {
        var lineStart = 0
        // Request line.
        guard let firstLF = firstIndex(of: ASCII.lf, in: block, from: 0) else {
            return .failure(.badRequest("missing request line"))
        }
        let requestLineEnd = (firstLF > 0 && block[firstLF - 1] == ASCII.cr) ? firstLF - 1 : firstLF
        let line = block.extracting(0..<requestLineEnd)
        guard let firstSpace = firstIndex(of: ASCII.space, in: line, from: 0), firstSpace > 0 else {
            return .failure(.badRequest("malformed request line"))
        }
        guard let secondSpace = firstIndex(of: ASCII.space, in: line, from: firstSpace + 1),
              secondSpace > firstSpace + 1 else {
            return .failure(.badRequest("malformed request line"))
        }
        let methodBytes = line.extracting(0..<firstSpace)
        for index in methodBytes.indices where !ASCII.isTokenTable[Int(methodBytes[index])] {
            return .failure(.badRequest("invalid method"))
        }
        let targetBytes = line.extracting((firstSpace + 1)..<secondSpace)
        for index in targetBytes.indices where targetBytes[index] <= 0x20 || targetBytes[index] == 0x7F {
            return .failure(.badRequest("invalid request target"))
        }
        let versionBytes = line.extracting((secondSpace + 1)...)
        guard versionBytes.count == 8,
              versionBytes[0] == UInt8(ascii: "H"), versionBytes[1] == UInt8(ascii: "T"),
              versionBytes[2] == UInt8(ascii: "T"), versionBytes[3] == UInt8(ascii: "P"),
              versionBytes[4] == UInt8(ascii: "/"), versionBytes[5] == UInt8(ascii: "1"),
              versionBytes[6] == UInt8(ascii: "."),
              versionBytes[7] == UInt8(ascii: "0") || versionBytes[7] == UInt8(ascii: "1") else {
            return .failure(.badRequest("unsupported HTTP version"))
        }
        let versionMinor = Int(versionBytes[7] - UInt8(ascii: "0"))
        let method = HTTPMethod(bytes: methodBytes)
        let target = Self.originForm(ASCII.string(targetBytes))

        // Header fields.
        var headers = HTTPHeaders()
        var connectionClose = false
        var connectionKeepAlive = false
        lineStart = firstLF + 1
        while lineStart < block.count {
            guard let lf = firstIndex(of: ASCII.lf, in: block, from: lineStart) else {
                return .failure(.badRequest("unterminated header line"))
            }
            var lineEnd = lf
            if lineEnd > lineStart && block[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            if lineEnd == lineStart { break }  // empty line: end of head
            let fieldLine = block.extracting(lineStart..<lineEnd)
            lineStart = lf + 1
            guard let colon = firstIndex(of: ASCII.colon, in: fieldLine, from: 0), colon > 0 else {
                if fieldLine[0] == ASCII.space || fieldLine[0] == ASCII.tab {
                    return .failure(.badRequest("obsolete header line folding"))
                }
                return .failure(.badRequest("malformed header line"))
            }
            let nameBytes = fieldLine.extracting(0..<colon)
            for index in nameBytes.indices where !ASCII.isTokenTable[Int(nameBytes[index])] {
                return .failure(.badRequest("invalid header name"))
            }
            var valueStart = colon + 1
            var valueEnd = fieldLine.count
            while valueStart < valueEnd, fieldLine[valueStart] == ASCII.space || fieldLine[valueStart] == ASCII.tab {
                valueStart += 1
            }
            while valueEnd > valueStart, fieldLine[valueEnd - 1] == ASCII.space || fieldLine[valueEnd - 1] == ASCII.tab {
                valueEnd -= 1
            }
            let valueBytes = fieldLine.extracting(valueStart..<valueEnd)
            for index in valueBytes.indices
            where (valueBytes[index] < 0x20 && valueBytes[index] != ASCII.tab) || valueBytes[index] == 0x7F {
                return .failure(.badRequest("invalid character in header value"))
            }
            let name = ASCII.string(nameBytes)
            let value = ASCII.string(valueBytes)
            if nameBytes.count == 10, ASCII.equalsIgnoringCase(nameBytes, "connection") {
                if ASCII.containsToken(value, "close") { connectionClose = true }
                if ASCII.containsToken(value, "keep-alive") { connectionKeepAlive = true }
            }
            headers.add(name, value)
        }
        let keepAlive = versionMinor >= 1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return .success(ParsedRequest(method: method, target: target, versionMinor: versionMinor,
                                      headers: headers, body: [], keepAlive: keepAlive))
    }

    @inline(__always)
    private static func firstIndex(of byte: UInt8, in buffer: Span<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            if buffer[index] == byte { return index }
            index += 1
        }
        return nil
    }

    // MARK: Chunked framing

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    /// One byte of chunk framing; returns an event when the request completes or fails.
    private mutating func step(_ byte: UInt8) -> HTTPParseEvent? {
        switch state {
        case .chunkSize:
            chunkLineBytes += 1
            if let digit = Self.hexValue(byte) {
                chunkDigits += 1
                guard chunkDigits <= 15 else { return .error(.badRequest("chunk size too long")) }
                chunkSize = chunkSize * 16 + digit
                return nil
            }
            guard chunkDigits > 0 else { return .error(.badRequest("invalid chunk size")) }
            switch byte {
            case ASCII.cr: state = .chunkSizeLF
            case ASCII.lf: return endOfChunkSizeLine()
            case UInt8(ascii: ";"), ASCII.space, ASCII.tab: state = .chunkExtension
            default: return .error(.badRequest("invalid chunk size"))
            }
            return nil
        case .chunkExtension:
            chunkLineBytes += 1
            guard chunkLineBytes <= limits.maxChunkLineBytes else { return .error(.badRequest("chunk extension too long")) }
            if byte == ASCII.lf { return endOfChunkSizeLine() }
            return nil
        case .chunkSizeLF:
            guard byte == ASCII.lf else { return .error(.badRequest("invalid chunk size line")) }
            return endOfChunkSizeLine()
        case .chunkDataCR:
            if byte == ASCII.cr { state = .chunkDataLF; return nil }
            if byte == ASCII.lf { state = .chunkSize; resetChunkLine(); return nil }
            return .error(.badRequest("missing CRLF after chunk data"))
        case .chunkDataLF:
            guard byte == ASCII.lf else { return .error(.badRequest("missing CRLF after chunk data")) }
            state = .chunkSize
            resetChunkLine()
            return nil
        case .trailerLineStart:
            trailerBytes += 1
            if byte == ASCII.cr { state = .trailerEndLF; return nil }
            if byte == ASCII.lf { return finishRequest() }
            state = .trailerLine
            return nil
        case .trailerLine:
            trailerBytes += 1
            guard trailerBytes <= limits.maxHeaderBytes else { return .error(.headerTooLarge(limit: limits.maxHeaderBytes)) }
            if byte == ASCII.lf { state = .trailerLineStart }
            return nil
        case .trailerEndLF:
            guard byte == ASCII.lf else { return .error(.badRequest("malformed chunked trailer")) }
            return finishRequest()
        default:
            return .error(.badRequest("internal parser state"))
        }
    }

    private mutating func resetChunkLine() {
        chunkSize = 0
        chunkDigits = 0
        chunkLineBytes = 0
    }

    private mutating func endOfChunkSizeLine() -> HTTPParseEvent? {
        let size = chunkSize
        resetChunkLine()
        if size == 0 {
            state = .trailerLineStart
            trailerBytes = 0
            return nil
        }
        let soFar = head?.body.count ?? 0
        if soFar + size > limits.maxBodyBytes {
            return .error(.payloadTooLarge(limit: limits.maxBodyBytes, declared: nil))
        }
        state = .chunkData(remaining: size)
        return nil
    }

    /// RFC 9112 3.2.2: a server must accept the absolute form (`http://host:8080/ping?x`) as well as the origin
    /// form (`/ping?x`); routes see the origin form. Other targets (`*`, authority form) pass unchanged.
    static func originForm(_ target: String) -> String {
        guard let first = target.utf8.first, first != UInt8(ascii: "/") else { return target }
        let schemeLength: Int
        if ASCII.hasPrefixIgnoringCase(target, "http://") {
            schemeLength = 7
        } else if ASCII.hasPrefixIgnoringCase(target, "https://") {
            schemeLength = 8
        } else {
            return target
        }
        let afterScheme = target.utf8.index(target.utf8.startIndex, offsetBy: schemeLength)
        guard let cut = target.utf8[afterScheme...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
        else { return "/" }
        let rest = target[cut...]
        return rest.hasPrefix("?") ? "/" + rest : String(rest)
    }

}
