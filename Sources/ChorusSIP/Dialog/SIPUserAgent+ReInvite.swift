import NIOCore

/// A re-INVITE Chorus sends inside an established call (RFC 3261 §14.1): a new offer, for
/// instance when the participant's media moves to another port.
extension SIPUserAgent {
    /// Sends a re-INVITE with `body` as the offer in `dialog`, ACKs the 2xx (and each
    /// retransmission of it) and hands the final response to `handler`, or nil when none came.
    /// A non-2xx final answer (488, 491) leaves the session as it was (RFC 3261 §14.1).
    public func reInvite(
        _ dialog: SIPDialog, body: [UInt8], contentType: String = "application/sdp",
        contactParameters: SIPParameters = SIPParameters(), handler: @escaping (SIPResponse?) -> Void
    ) {
        endpoint.eventLoop.preconditionInEventLoop()
        guard dialog.state == .confirmed, dialog.usage == .invite else { return handler(nil) }
        var headers: SIPHeaders = ["Contact": "<\(dialog.localContact)>" + contactParameters.serialized]
        headers.add("Allow", endpoint.configuration.allowHeaderValue)
        headers.add("Content-Type", contentType)
        let invite = dialog.makeRequest(.invite, headers: headers, body: body)
        var answered = false
        endpoint.sendRequest(invite, to: nextHop(for: dialog)) { [weak self] event in
            guard let self else { return }
            switch event {
            case .provisional:
                return
            case .final(let response):
                if response.isSuccess {
                    if let contact = response.headers.values("Contact").first.flatMap({ try? SIPNameAddress(parsing: $0) }) {
                        dialog.remoteTarget = contact.uri  // target refresh (RFC 3261 §12.2.1.2)
                    }
                    // The ACK carries the INVITE's CSeq number, whatever was sent in the dialog since.
                    var ack = dialog.makeRequest(.ack)
                    ack.cseq = SIPCSeq(invite.cseq.sequence, .ack)
                    endpoint.sendStateless(ack, to: nextHop(for: dialog))
                }
                guard !answered else { return }
                answered = true
                handler(response)
            case .timeout:
                guard !answered else { return }
                answered = true
                handler(nil)
            }
        }
    }
}
