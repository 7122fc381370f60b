/// A reply ready to be the body of a SIP MESSAGE.
public struct RenderedReply: Equatable, Sendable {
    /// The Content-Type of the body.
    public let contentType: String
    /// The body.
    public let body: String

    /// The content type of text replies.
    public static let textContentType = "text/plain;charset=utf-8"
    /// The content type of JSON replies.
    public static let jsonContentType = "application/json"

    /// Creates a rendered reply.
    public init(contentType: String, body: String) {
        self.contentType = contentType
        self.body = body
    }
}
