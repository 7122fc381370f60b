/// An INVITE that created no dialog yet, waiting for the application's answer.
public final class SIPIncomingInvite: @unchecked Sendable {
    public let transaction: SIPServerTransaction
    unowned let userAgent: SIPUserAgent

    init(transaction: SIPServerTransaction, userAgent: SIPUserAgent) {
        self.transaction = transaction
        self.userAgent = userAgent
    }

    public var request: SIPRequest { transaction.request }
    /// Whether it is still waiting for a final answer (false after accept, reject or CANCEL).
    public var isPending: Bool { !transaction.hasFinalResponse }

    /// Sends 180 Ringing (or another provisional status).
    public func ring(_ statusCode: Int = 180) {
        guard isPending else { return }
        transaction.respond(statusCode)
    }

    /// Rejects the INVITE with a final non-2xx status.
    public func reject(_ statusCode: Int, reason: String? = nil, headers: SIPHeaders = SIPHeaders()) {
        precondition(statusCode >= 300, "reject needs a final non-2xx status")
        guard isPending else { return }
        transaction.respond(statusCode, reason: reason, headers: headers)
        userAgent.inviteFinished(self)
    }

    /// Answers 200 OK with `body` and creates the dialog (RFC 3261 §12.1.1). The Contact is Chorus's
    /// own address on the flow the INVITE came in on, with the Request-URI's user part and
    /// `contactParameters` as header parameters (e.g. `isfocus`, RFC 4579). Nil if no longer pending.
    @discardableResult
    public func accept(body: [UInt8], contentType: String = "application/sdp", contactParameters: SIPParameters = SIPParameters()) -> SIPDialog? {
        guard isPending else { return nil }
        return userAgent.accept(self, body: body, contentType: contentType, contactParameters: contactParameters)
    }
}
