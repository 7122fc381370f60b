import Logging
import NIOCore

/// The dialog layer: turns the endpoint's transactions into calls for the application.
///
/// It matches in-dialog requests to dialogs by Call-ID and tags (unknown → 481), enforces CSeq order
/// (lower → 500), answers BYE and OPTIONS itself, creates dialogs when the application accepts an
/// INVITE, sends BYE, and hangs every call up cleanly at shutdown. Confined to the endpoint's loop.
public final class SIPUserAgent: SIPEndpointDelegate, @unchecked Sendable {
    public let endpoint: SIPEndpoint
    public weak var delegate: (any SIPUserAgentDelegate)?
    /// Extensions advertised in `Supported` on OPTIONS answers.
    public var supportedExtensions: [String]
    /// Body types advertised in `Accept` on OPTIONS answers.
    public var acceptedBodyTypes: [String]

    public internal(set) var dialogs: [SIPDialogID: SIPDialog] = [:]
    var pendingInvites: [ObjectIdentifier: SIPIncomingInvite] = [:]
    /// BYEs sent and not yet answered, by dialog.
    var byesInFlight: Set<SIPDialogID> = []
    var isShuttingDown = false
    var shutdownPromise: EventLoopPromise<Void>?

    var logger: Logger { endpoint.logger }

    public init(endpoint: SIPEndpoint, supportedExtensions: [String] = [], acceptedBodyTypes: [String] = ["application/sdp"]) {
        self.endpoint = endpoint
        self.supportedExtensions = supportedExtensions
        self.acceptedBodyTypes = acceptedBodyTypes
        endpoint.delegate = self
    }

    /// Calls waiting for the application's answer.
    public var pendingInviteCount: Int { pendingInvites.count }

    // MARK: - SIPEndpointDelegate

    public func endpoint(_ endpoint: SIPEndpoint, didReceive request: SIPRequest, transaction: SIPServerTransaction) {
        if let toTag = request.to.tag, let fromTag = request.from.tag {
            let id = SIPDialogID(callID: request.callID, localTag: toTag, remoteTag: fromTag)
            guard let dialog = dialogs[id], dialog.state != .terminated else {
                transaction.respond(481)
                return
            }
            receiveInDialog(request, dialog: dialog, transaction: transaction)
            return
        }
        if request.to.tag != nil {
            transaction.respond(481)  // a To tag but no From tag can match no dialog of ours
            return
        }
        switch request.method {
        case .invite:
            receiveInvite(request, transaction: transaction)
        case .options:
            answerOptions(transaction)
        case .bye:
            transaction.respond(481)
        default:
            guard let delegate else { return transaction.respond(503) }
            delegate.userAgent(self, didReceiveOutOfDialog: request, transaction: transaction)
        }
    }

    public func endpoint(_ endpoint: SIPEndpoint, didReceiveAck ack: SIPRequest, for transaction: SIPServerTransaction) {
        guard let toTag = ack.to.tag, let fromTag = ack.from.tag,
            let dialog = dialogs[SIPDialogID(callID: ack.callID, localTag: toTag, remoteTag: fromTag)]
        else { return }
        guard dialog.state == .waitingForAck else {
            // The ACK of a 2xx to a re-INVITE (it carries the answer when Chorus made the offer).
            if dialog.state == .confirmed { delegate?.userAgent(self, dialog: dialog, didReceiveAck: ack) }
            return
        }
        dialog.state = .confirmed
        if dialog.byeWhenAcked {
            hangUp(dialog)
            return
        }
        delegate?.userAgent(self, dialogConfirmed: dialog, ack: ack)
    }

    public func endpoint(_ endpoint: SIPEndpoint, didCancel transaction: SIPServerTransaction) {
        guard let invite = pendingInvites.removeValue(forKey: ObjectIdentifier(transaction)) else { return }
        delegate?.userAgent(self, didCancel: invite)
    }

    public func endpoint(_ endpoint: SIPEndpoint, ackTimedOutFor transaction: SIPServerTransaction) {
        guard let response = transaction.lastResponse, let toTag = response.to.tag, let fromTag = response.from.tag,
            let dialog = dialogs[SIPDialogID(callID: response.callID, localTag: toTag, remoteTag: fromTag)],
            dialog.state == .waitingForAck
        else { return }
        // RFC 3261 §13.3.1.4: no ACK, so the session ends with a BYE.
        dialog.state = .confirmed
        sendBye(dialog, reason: .ackTimeout)
    }

    // MARK: - Incoming requests

    private func receiveInvite(_ request: SIPRequest, transaction: SIPServerTransaction) {
        if isShuttingDown {
            transaction.respond(503, reason: "Shutting Down", headers: ["Retry-After": "30"])
            return
        }
        let invite = SIPIncomingInvite(transaction: transaction, userAgent: self)
        guard let delegate else {
            transaction.respond(503)
            return
        }
        pendingInvites[ObjectIdentifier(transaction)] = invite
        delegate.userAgent(self, didReceiveInvite: invite)
    }

    private func receiveInDialog(_ request: SIPRequest, dialog: SIPDialog, transaction: SIPServerTransaction) {
        // RFC 3261 §12.2.2: a lower CSeq is out of order.
        if let last = dialog.remoteSequence, request.cseq.sequence <= last {
            transaction.respond(500, reason: "CSeq Out Of Order")
            return
        }
        dialog.remoteSequence = request.cseq.sequence
        switch request.method {
        case .bye:
            transaction.respond(200)
            endDialog(dialog, reason: .remoteBye)
        default:
            if request.method == .invite, let contact = request.contactURI {
                dialog.remoteTarget = contact  // target refresh (RFC 3261 §12.2.2)
            }
            guard let delegate else { return transaction.respond(503) }
            delegate.userAgent(self, dialog: dialog, didReceive: request, transaction: transaction)
        }
    }

    private func answerOptions(_ transaction: SIPServerTransaction) {
        var headers: SIPHeaders = ["Allow": endpoint.configuration.allowHeaderValue]
        headers.add("Accept", acceptedBodyTypes.joined(separator: ", "))
        headers.add("Accept-Encoding", "identity")
        headers.add("Accept-Language", "en")
        headers.add("Supported", supportedExtensions.joined(separator: ", "))
        transaction.respond(200, headers: headers)
    }

    // MARK: - Answering INVITEs

    func inviteFinished(_ invite: SIPIncomingInvite) {
        pendingInvites.removeValue(forKey: ObjectIdentifier(invite.transaction))
    }

    func accept(_ invite: SIPIncomingInvite, body: [UInt8], contentType: String, contactParameters: SIPParameters) -> SIPDialog? {
        let transaction = invite.transaction
        let request = transaction.request
        guard let fromTag = request.from.tag else {
            invite.reject(400, reason: "Missing From tag")
            return nil
        }
        let peer = transaction.peer
        let (host, port) = endpoint.transport.advertisedAddress(kind: peer.kind, toward: peer.remote)
        let secure = request.uri.scheme == "sips" && peer.kind == .tls
        var contact = SIPURI(scheme: secure ? "sips" : "sip", user: request.uri.user, host: host, port: port)
        if peer.kind != .udp { contact.parameters.set("transport", peer.kind.uriParameter) }
        let contactHeader = "<\(contact)>" + contactParameters.serialized

        var local = request.to
        local.tag = transaction.localTag
        let dialog = SIPDialog(
            id: SIPDialogID(callID: request.callID, localTag: transaction.localTag, remoteTag: fromTag),
            state: .waitingForAck, local: local, remote: request.from,
            remoteTarget: request.contactURI ?? request.from.uri,
            routeSet: request.headers.values("Record-Route").compactMap { try? SIPNameAddress(parsing: $0) },
            localSequence: UInt32.random(in: 1...0x7FFF), remoteSequence: request.cseq.sequence, peer: peer,
            isSecure: secure, localContact: contact)
        dialogs[dialog.id] = dialog
        pendingInvites.removeValue(forKey: ObjectIdentifier(transaction))

        var headers: SIPHeaders = ["Contact": contactHeader]
        // The route set goes back in the 2xx so the caller builds the same one (RFC 3261 §12.1.1).
        for route in request.headers.values("Record-Route") { headers.add("Record-Route", route) }
        headers.add("Allow", endpoint.configuration.allowHeaderValue)
        if !supportedExtensions.isEmpty { headers.add("Supported", supportedExtensions.joined(separator: ", ")) }
        headers.add("Content-Type", contentType)
        transaction.respond(200, headers: headers, body: body)
        return dialog
    }

    // MARK: - Ending dialogs

    /// Ends a dialog with BYE. A dialog still waiting for its ACK gets the BYE once the ACK arrives
    /// or times out (RFC 3261 §15). The delegate hears ``SIPDialogEndReason/localBye`` at once.
    public func hangUp(_ dialog: SIPDialog) {
        endpoint.eventLoop.preconditionInEventLoop()
        switch dialog.state {
        case .terminated:
            return
        case .waitingForAck:
            dialog.byeWhenAcked = true
        case .confirmed:
            guard dialog.usage == .invite else { return forget(dialog) }
            sendBye(dialog, reason: .localBye)
        }
    }

    private func sendBye(_ dialog: SIPDialog, reason: SIPDialogEndReason) {
        let bye = dialog.makeRequest(.bye)
        let peer = nextHop(for: dialog)
        byesInFlight.insert(dialog.id)
        endDialog(dialog, reason: reason)
        endpoint.sendRequest(bye, to: peer) { [weak self] event in
            guard let self else { return }
            switch event {
            case .provisional: return
            case .final(let response):
                self.logger.info("BYE → \(response.statusCode) \(response.reasonPhrase)", metadata: ["call-id": "\(dialog.id.callID)"])
            case .timeout:
                self.logger.info("BYE timed out", metadata: ["call-id": "\(dialog.id.callID)"])
            }
            self.byesInFlight.remove(dialog.id)
            self.checkShutdownComplete()
        }
    }

    /// Where in-dialog requests go: the first Route when there is a route set (Chorus behind a
    /// record-routing proxy), otherwise back along the flow the dialog came in on, which reaches
    /// clients behind NAT whose Contact is unreachable.
    public func nextHop(for dialog: SIPDialog) -> SIPPeer {
        guard let routeURI = dialog.nextHopURI else { return dialog.peer }
        let kind = routeURI.impliedTransport
        guard let address = try? routeURI.resolveSocketAddress() else {
            logger.warning("cannot resolve route \(routeURI); using the dialog's flow")
            return dialog.peer
        }
        if address == dialog.peer.remote, kind == dialog.peer.kind { return dialog.peer }
        return SIPPeer(kind: kind, remote: address)
    }

    func endDialog(_ dialog: SIPDialog, reason: SIPDialogEndReason) {
        guard dialog.state != .terminated else { return }
        dialog.state = .terminated
        dialogs.removeValue(forKey: dialog.id)
        delegate?.userAgent(self, dialogEnded: dialog, reason: reason)
        checkShutdownComplete()
    }

    // MARK: - Shutdown

    /// Stops taking calls (new INVITEs get 503 with Retry-After), rejects pending INVITEs, sends BYE
    /// on every dialog, and completes when every BYE is answered or `grace` has passed.
    public func shutdown(grace: Duration) -> EventLoopFuture<Void> {
        endpoint.eventLoop.preconditionInEventLoop()
        if let shutdownPromise { return shutdownPromise.futureResult }
        isShuttingDown = true
        let promise = endpoint.eventLoop.makePromise(of: Void.self)
        shutdownPromise = promise
        for invite in Array(pendingInvites.values) {
            invite.reject(503, reason: "Shutting Down", headers: ["Retry-After": "30"])
        }
        // Subscriptions were ended by the application's terminating NOTIFYs; calls get BYE.
        for dialog in Array(dialogs.values) where dialog.usage == .subscription { forget(dialog) }
        logger.info("shutting down: hanging up \(dialogs.count) call(s)")
        for dialog in Array(dialogs.values) { hangUp(dialog) }
        endpoint.eventLoop.schedule(after: grace) { [weak self] in
            guard let self, let promise = self.shutdownPromise else { return }
            if !self.byesInFlight.isEmpty || !self.dialogs.isEmpty {
                self.logger.warning("shutdown grace over with \(self.byesInFlight.count) BYE(s) unanswered, \(self.dialogs.count) dialog(s) left")
            }
            self.shutdownPromise = nil
            promise.succeed()
        }
        checkShutdownComplete()
        return promise.futureResult
    }

    private func checkShutdownComplete() {
        guard isShuttingDown, let promise = shutdownPromise, byesInFlight.isEmpty, dialogs.isEmpty else { return }
        shutdownPromise = nil
        promise.succeed()
    }
}

extension SIPRequest {
    /// The URI of the first Contact, if present and parseable.
    public var contactURI: SIPURI? {
        guard let first = headers.values("Contact").first else { return nil }
        return (try? SIPNameAddress(parsing: first))?.uri
    }
}
