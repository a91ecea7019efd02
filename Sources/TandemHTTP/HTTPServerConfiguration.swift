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
    /// Open client connections at most; one more is answered 503 and closed. Clamped at start to the open-file
    /// limit minus a reserve, so the server never runs out of descriptors for `/ping` and model files.
    public var maxConnections: Int
    /// A request body must arrive whole within this time of its head (408 otherwise).
    public var bodyDeadline: Duration
    /// A body slower than this over a whole `bodyRateWindow` gets 408 (0: no minimum). A body that stalls
    /// completely is caught by the same check.
    public var minBodyBytesPerSecond: Int
    /// How often the body deadline and rate are checked (the deadline's precision).
    public var bodyRateWindow: Duration
    /// Process-wide bound on request body bytes held at once (received, being received by Content-Length, or
    /// being answered); a body that does not fit gets 503 with `Retry-After`.
    public var maxBufferedBodyBytes: Int
    /// Response bytes waiting for a client that does not read; past this, the connection stops reading (and so
    /// answering pipelined requests) until the client has read everything.
    public var maxUnsentOutputBytes: Int

    public init(host: String = "0.0.0.0", port: Int = 8080, loopCount: Int = 1, backlog: Int = 4096,
                maxBodyBytes: Int = 25 * 1024 * 1024, maxHeaderBytes: Int = 64 * 1024,
                idleTimeout: Duration = .seconds(60), requestHeadTimeout: Duration = .seconds(30),
                maxPipelinedBytes: Int = 256 * 1024, lingerTimeout: Duration = .seconds(2),
                maxConnections: Int = 8192, bodyDeadline: Duration = .seconds(60), minBodyBytesPerSecond: Int = 1024,
                bodyRateWindow: Duration = .seconds(5), maxBufferedBodyBytes: Int = 512 << 20,
                maxUnsentOutputBytes: Int = 1 << 20) {
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
        self.maxConnections = maxConnections
        self.bodyDeadline = bodyDeadline
        self.minBodyBytesPerSecond = minBodyBytesPerSecond
        self.bodyRateWindow = bodyRateWindow
        self.maxBufferedBodyBytes = maxBufferedBodyBytes
        self.maxUnsentOutputBytes = maxUnsentOutputBytes
    }
}
