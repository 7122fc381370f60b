import NIOCore

/// What happens to an INVITE Chorus sends (dial-out).
public enum SIPOutgoingCallEvent: Sendable {
    /// A provisional response (180 Ringing, 183, ...).
    case progress(Int)
    /// Answered: the dialog exists and is confirmed (Chorus has sent the ACK); the response carries
    /// the callee's SDP answer.
    case answered(SIPDialog, SIPResponse)
    /// Not answered: the final status (408 when nothing came, or when Chorus gave up and cancelled).
    case failed(Int, String)
}

extension SIPUserAgent {
    /// Calls `target` (RFC 3261 §13.2, the UAC side): sends INVITE with `body` along `peer`, ACKs
    /// the 2xx (and each retransmission of it), creates the dialog, and cancels the INVITE when no
    /// final answer came within `ringTimeout`. `headers` go into the INVITE as they are (e.g.
    /// `Referred-By`, RFC 3892). `handler` runs on the endpoint's loop.
    public func call(
        _ target: SIPURI, from local: SIPNameAddress, body: [UInt8], contentType: String = "application/sdp",
        contactParameters: SIPParameters = SIPParameters(), headers extraHeaders: SIPHeaders = SIPHeaders(), peer: SIPPeer,
        ringTimeout: TimeAmount,
        handler: @escaping (SIPOutgoingCallEvent) -> Void
    ) {
        endpoint.eventLoop.preconditionInEventLoop()
        var from = local
        let localTag = SIPToken.tag()
        from.tag = localTag
        let (host, port) = endpoint.transport.advertisedAddress(kind: peer.kind, toward: peer.remote)
        var contact = SIPURI(scheme: "sip", user: local.uri.user, host: host, port: port)
        if peer.kind != .udp { contact.parameters.set("transport", peer.kind.uriParameter) }
        var headers: SIPHeaders = ["Contact": "<\(contact)>" + contactParameters.serialized]
        headers.add("Allow", endpoint.configuration.allowHeaderValue)
        for field in extraHeaders { headers.add(field.name, field.value) }
        headers.add("Content-Type", contentType)
        let invite = SIPRequest(
            method: .invite, uri: target, via: [endpoint.makeVia(for: peer)], from: from, to: SIPNameAddress(uri: target),
            callID: SIPToken.callID(), cseq: SIPCSeq(1, .invite), maxForwards: 70, headers: headers, body: body)

        let state = OutgoingCallState()
        let giveUp = endpoint.eventLoop.scheduleTask(in: ringTimeout) { [weak self] in
            guard let self, !state.finished else { return }
            // RFC 3261 §9.1: CANCEL copies the INVITE's Request-URI, Via, From, To, Call-ID and CSeq number.
            let cancel = SIPRequest(
                method: .cancel, uri: invite.uri, via: invite.via, from: invite.from, to: invite.to, callID: invite.callID,
                cseq: SIPCSeq(1, .cancel), maxForwards: 70)
            self.endpoint.sendRequest(cancel, to: peer) { _ in }
        }
        endpoint.sendRequest(invite, to: peer) { [weak self] event in
            guard let self else { return }
            switch event {
            case .provisional(let response):
                if response.statusCode > 100 { handler(.progress(response.statusCode)) }
            case .final(let response) where (200..<300).contains(response.statusCode):
                giveUp.cancel()
                if state.dialog == nil {
                    guard let remoteTag = response.to.tag else { return handler(.failed(502, "2xx without a To tag")) }
                    var remote = response.to
                    remote.tag = remoteTag
                    // The route set is the 2xx's Record-Route in reverse (RFC 3261 §12.1.2).
                    let routes = response.headers.values("Record-Route").compactMap { try? SIPNameAddress(parsing: $0) }.reversed()
                    let created = SIPDialog(
                        id: SIPDialogID(callID: invite.callID, localTag: localTag, remoteTag: remoteTag), state: .confirmed,
                        local: from, remote: remote, remoteTarget: response.headers.values("Contact").first.flatMap { try? SIPNameAddress(parsing: $0) }?.uri ?? target, routeSet: Array(routes),
                        localSequence: 1, remoteSequence: nil, peer: peer, isSecure: false, localContact: contact)
                    dialogs[created.id] = created
                    state.dialog = created
                }
                guard let dialog = state.dialog else { return }
                // Every 2xx (the first and each retransmission) gets the same ACK.
                endpoint.sendStateless(dialog.makeRequest(.ack), to: nextHop(for: dialog))
                if !state.finished {
                    state.finished = true
                    handler(.answered(dialog, response))
                }
            case .final(let response):
                giveUp.cancel()
                guard !state.finished else { return }
                state.finished = true
                handler(.failed(response.statusCode, response.reasonPhrase))
            case .timeout:
                giveUp.cancel()
                guard !state.finished else { return }
                state.finished = true
                handler(.failed(408, "No Answer"))
            }
        }
    }
}

/// What one outgoing INVITE has come to; touched on the endpoint's loop only.
private final class OutgoingCallState: @unchecked Sendable {
    var dialog: SIPDialog?
    var finished = false
}
