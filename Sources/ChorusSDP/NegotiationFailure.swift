/// Why an offer or answer cannot be accepted, ready for the SIP response.
public struct NegotiationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The SIP status: 488 Not Acceptable Here, or 400 Bad Request for a malformed description.
    public var statusCode: Int
    /// Text for a SIP `Warning` header, e.g. `"no common codec: Chorus supports opus/48000/2, PCMU/8000, PCMA/8000"`.
    public var warning: String

    /// Creates a failure.
    public init(statusCode: Int, warning: String) {
        self.statusCode = statusCode
        self.warning = warning
    }

    /// 488 Not Acceptable Here.
    static func notAcceptable(_ warning: String) -> NegotiationFailure {
        NegotiationFailure(statusCode: 488, warning: warning)
    }

    /// 400 Bad Request.
    static func badRequest(_ warning: String) -> NegotiationFailure {
        NegotiationFailure(statusCode: 400, warning: warning)
    }

    /// The status and the warning.
    public var description: String { "\(self.statusCode) \(self.warning)" }
}
