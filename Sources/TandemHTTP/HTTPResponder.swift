/// The application side of `HTTPServer`: turns each request into exactly one `writer.send`.
public protocol HTTPResponder: Sendable {
    /// Called on the connection's event-loop thread; must not block. Answer inline (writer.send) or hand the
    /// writer to another thread that sends later.
    func respond(to request: HTTPRequest, writer: ResponseWriter)
}
