/// Listener, threading, limits and timeouts for `HTTPServer`.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind ("0.0.0.0", "127.0.0.1", "::", ...).
    public var host: String
    /// Port to bind; 0 picks an ephemeral port (see `HTTPServer.start()`'s result).
    public var port: Int
    /// Number of event-loop threads; accepted connections are spread round-robin across them.
    public var loopCount: Int
    /// listen(2) backlog.
    public var backlog: Int
    /// Largest accepted request body; larger ones get 413 (decided from Content-Length before reading).
    public var maxBodyBytes: Int
    /// Largest accepted request head (request line + fields); larger ones get 431.
    public var maxHeaderBytes: Int
    /// How long a keep-alive connection may sit between requests (and a body may stall) before it is closed.
    public var idleTimeout: Duration
    /// How long a request head may take to arrive, from a new connection or from its first byte.
    public var requestHeadTimeout: Duration
    /// Unparsed bytes buffered behind an outstanding request before reading pauses (pipelining bound).
    public var maxPipelinedBytes: Int
    /// After an error response, how long to keep draining the client's input before closing.
    public var lingerTimeout: Duration

    public init(host: String = "0.0.0.0", port: Int = 8080, loopCount: Int = 1, backlog: Int = 4096,
                maxBodyBytes: Int = 25 * 1024 * 1024, maxHeaderBytes: Int = 64 * 1024,
                idleTimeout: Duration = .seconds(60), requestHeadTimeout: Duration = .seconds(30),
                maxPipelinedBytes: Int = 256 * 1024, lingerTimeout: Duration = .seconds(2)) {
        self.host = host
        self.port = port
        self.loopCount = loopCount
        self.backlog = backlog
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.idleTimeout = idleTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.maxPipelinedBytes = maxPipelinedBytes
        self.lingerTimeout = lingerTimeout
    }
}
