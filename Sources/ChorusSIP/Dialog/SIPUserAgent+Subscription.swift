/// Dialogs made by SUBSCRIBE or REFER outside any dialog (RFC 6665 §4.2.1, RFC 3515 §2.4.4):
/// the notifier's 2xx creates the dialog, NOTIFYs travel in it, and it ends with the terminating
/// NOTIFY (``forget(_:)``), not with BYE.
extension SIPUserAgent {
    /// Answers `transaction`'s request with `statusCode` (200 for SUBSCRIBE, 202 for REFER),
    /// Chorus's Contact and `headers`, and creates the subscription dialog. Nil when the request
    /// has no From tag (answered 400) or was already answered.
    public func acceptSubscription(_ transaction: SIPServerTransaction, statusCode: Int, headers: SIPHeaders = SIPHeaders()) -> SIPDialog? {
        endpoint.eventLoop.preconditionInEventLoop()
        let request = transaction.request
        guard !transaction.hasFinalResponse else { return nil }
        guard let fromTag = request.from.tag else {
            transaction.respond(400, reason: "Missing From tag")
            return nil
        }
        let peer = transaction.peer
        let (host, port) = endpoint.transport.advertisedAddress(kind: peer.kind, toward: peer.remote)
        var contact = SIPURI(scheme: "sip", user: request.uri.user, host: host, port: port)
        if peer.kind != .udp { contact.parameters.set("transport", peer.kind.uriParameter) }
        var local = request.to
        local.tag = transaction.localTag
        let dialog = SIPDialog(
            id: SIPDialogID(callID: request.callID, localTag: transaction.localTag, remoteTag: fromTag),
            state: .confirmed, local: local, remote: request.from, remoteTarget: request.contactURI ?? request.from.uri,
            routeSet: request.headers.values("Record-Route").compactMap { try? SIPNameAddress(parsing: $0) },
            localSequence: UInt32.random(in: 1...0x7FFF), remoteSequence: request.cseq.sequence, peer: peer,
            isSecure: false, localContact: contact, usage: .subscription)
        dialogs[dialog.id] = dialog
        var allHeaders: SIPHeaders = ["Contact": "<\(contact)>"]
        for route in request.headers.values("Record-Route") { allHeaders.add("Record-Route", route) }
        for field in headers { allHeaders.add(field.name, field.value) }
        transaction.respond(statusCode, headers: allHeaders)
        return dialog
    }

    /// Ends a subscription dialog without a request (after its terminating NOTIFY, or when the
    /// subscriber answered a NOTIFY with 481). The delegate is not told: the application ended it.
    public func forget(_ dialog: SIPDialog) {
        endpoint.eventLoop.preconditionInEventLoop()
        guard dialog.usage == .subscription, dialog.state != .terminated else { return }
        dialog.state = .terminated
        dialogs.removeValue(forKey: dialog.id)
    }

    /// Sends a request inside `dialog` (NOTIFY, REFER, MESSAGE) along ``nextHop(for:)``;
    /// `handler` gets the final response, or nil on timeout.
    public func send(
        _ method: SIPMethod, in dialog: SIPDialog, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = [],
        handler: @escaping (SIPResponse?) -> Void
    ) {
        endpoint.eventLoop.preconditionInEventLoop()
        guard dialog.state != .terminated else { return handler(nil) }
        endpoint.sendRequest(dialog.makeRequest(method, headers: headers, body: body), to: nextHop(for: dialog)) { event in
            switch event {
            case .provisional: return
            case .final(let response): handler(response)
            case .timeout: handler(nil)
            }
        }
    }
}
