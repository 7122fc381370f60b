/// The application above the dialog layer: the conference focus, or a test double.
/// Every method is called on the endpoint's event loop.
public protocol SIPUserAgentDelegate: AnyObject {
    /// A new INVITE outside any dialog. Answer it with ``SIPIncomingInvite/accept(body:contentType:contactParameters:)``
    /// or ``SIPIncomingInvite/reject(_:reason:headers:)``, now or later.
    func userAgent(_ userAgent: SIPUserAgent, didReceiveInvite invite: SIPIncomingInvite)
    /// A pending INVITE was cancelled by the caller; 487 has been sent.
    func userAgent(_ userAgent: SIPUserAgent, didCancel invite: SIPIncomingInvite)
    /// The ACK for Chorus's 2xx arrived (for a late offer it carries the SDP answer).
    func userAgent(_ userAgent: SIPUserAgent, dialogConfirmed dialog: SIPDialog, ack: SIPRequest)
    /// The ACK of a 2xx to a re-INVITE; for a re-INVITE without SDP it carries the answer.
    func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceiveAck ack: SIPRequest)
    /// A request inside a dialog other than BYE and ACK (re-INVITE, INFO, MESSAGE, ...). Must be answered.
    func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceive request: SIPRequest, transaction: SIPServerTransaction)
    /// A request outside any dialog other than INVITE and OPTIONS. Must be answered.
    func userAgent(_ userAgent: SIPUserAgent, didReceiveOutOfDialog request: SIPRequest, transaction: SIPServerTransaction)
    /// The dialog is over.
    func userAgent(_ userAgent: SIPUserAgent, dialogEnded dialog: SIPDialog, reason: SIPDialogEndReason)
}

extension SIPUserAgentDelegate {
    public func userAgent(_ userAgent: SIPUserAgent, didCancel invite: SIPIncomingInvite) {}
    public func userAgent(_ userAgent: SIPUserAgent, dialogConfirmed dialog: SIPDialog, ack: SIPRequest) {}
    public func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceiveAck ack: SIPRequest) {}
    public func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceive request: SIPRequest, transaction: SIPServerTransaction) {
        transaction.respond(405, headers: ["Allow": userAgent.endpoint.configuration.allowHeaderValue])
    }
    public func userAgent(_ userAgent: SIPUserAgent, didReceiveOutOfDialog request: SIPRequest, transaction: SIPServerTransaction) {
        transaction.respond(405, headers: ["Allow": userAgent.endpoint.configuration.allowHeaderValue])
    }
    public func userAgent(_ userAgent: SIPUserAgent, dialogEnded dialog: SIPDialog, reason: SIPDialogEndReason) {}
}
