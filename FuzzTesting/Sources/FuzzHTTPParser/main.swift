import FuzzSupport
@testable import TandemHTTP

/// libFuzzer entry point for the HTTP/1.1 request parser, the code that reads every byte a client sends.
///
/// The first input byte picks how the rest is cut into reads (1 to 256 bytes each, as TCP may deliver
/// them); the reads are fed the way `HTTPConnectionHandler` feeds them. Any input must end in requests,
/// errors or "need more": a trap, a sanitizer report, a parse that makes no progress, or a request over the
/// limits is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let readSize = Int(bytes[0]) + 1
    let stream = Array(bytes.dropFirst())
    let limits = HTTPRequestParser.Limits(maxHeaderBytes: 2048, maxBodyBytes: 4096)
    var parser = HTTPRequestParser(limits: limits)
    var start = 0
    reads: while start < stream.count {
        let read = Array(stream[start..<min(stream.count, start + readSize)])
        start += read.count
        var offset = 0
        var steps = 0
        while offset < read.count {
            steps += 1
            precondition(steps <= read.count + 16, "the parser stopped making progress")
            let (event, used) = parser.parse(read.span.extracting(offset...))
            precondition(used >= 0 && used <= read.count - offset, "consumed \(used) of \(read.count - offset) bytes")
            offset += used
            switch event {
            case .needMore:
                precondition(offset == read.count, "needMore must consume every byte")
            case .continueExpected:
                continue
            case .request(let request):
                precondition(request.body.count <= limits.maxBodyBytes, "a body over the limit was accepted")
                _ = HTTPRequest(method: request.method, target: request.target, versionMinor: request.versionMinor,
                                headers: request.headers, body: request.body, id: "fuzz")
            case .error(let error):
                precondition((400..<600).contains(error.status), "error status \(error.status)")
                _ = HTTPResponse.jsonError(status: error.status, code: error.code, message: error.message,
                                           requestID: "fuzz", extra: error.extraJSON)
                break reads  // the connection answers and closes
            }
        }
    }
    return 0
}

// The executable's entry point (see FuzzSupport.runLibFuzzer).
@_cdecl("FuzzHTTPParser_main")
public func fuzzHTTPParserMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzHTTPParser(data, size) }
}
