import ChorusConference
import ChorusSIP
import NIOCore

/// The implicit subscription a REFER creates (RFC 3515 §2.4.4): NOTIFYs with a `message/sipfrag`
/// status line report how the referred action goes, the last one terminating it.
final class ReferProgress: @unchecked Sendable {
    let dialog: SIPDialog
    /// `refer;id=CSEQ`: the REFER's CSeq names the subscription (RFC 3515 §2.4.6).
    let event: String
    var finished = false

    init(dialog: SIPDialog, referCSeq: UInt32) {
        self.dialog = dialog
        self.event = "refer;id=\(referCSeq)"
    }
}

/// Whom a REFER's Refer-To names, as far as the focus is concerned.
enum ReferAddressee: Equatable {
    /// A room of this focus, with the PIN dialed as `ROOM*PIN`.
    case room(String, pin: String?)
    /// The focus itself: its control URI, or its address with no room.
    case focus
    /// Anyone else: a dial-out.
    case elsewhere
}

/// REFER to the focus (RFC 3515, RFC 4579 §5.5 and §5.6).
///
/// - `Refer-To: <sip:bob@host>`: the focus dials Bob into the room, as `invite` does, with the
///   REFER's `Referred-By` (RFC 3892) in its INVITE.
/// - `Refer-To: <sip:bob@host;method=BYE>`: Bob is hung up (owners and admins only).
/// - `Refer-To` a room on this focus, from inside a participant's call: the participant is
///   moved there (``transfer(_:to:pin:done:)``), with no new INVITE from the phone; into the
///   room's lobby when it has a PIN, unless the Refer-To dials it (`ROOM*PIN`).
/// - `Refer-To` the focus itself (its control URI, or its address with no room): 403.
///
/// Inside a call, participants (admitted to the mix) may add people and move themselves; for
/// removing people they authenticate (digest) as an owner of the room or an admin, unless they
/// did so on the INVITE. A REFER outside any dialog goes to a room's URI and always needs an
/// owner or admin. Malformed REFERs get 400, refused ones 403 (including a dial-out policy
/// forbids, `dialout.allowed_domains`); nothing has changed then. Accepted ones get 202, then a
/// NOTIFY with `SIP/2.0 100 Trying` and one with the final status.
extension Focus {
    func receiveRefer(_ request: SIPRequest, transaction: SIPServerTransaction, call: Call?) {
        let values = request.headers.fieldValues("Refer-To")
        guard values.count == 1, let referTo = try? SIPNameAddress(parsing: values[0]), referTo.uri.isSIP, !referTo.uri.host.isEmpty else {
            return transaction.respond(400, reason: values.isEmpty ? "Missing Refer-To" : "Bad Refer-To")
        }
        var target = referTo.uri
        let method = target.parameters.value("method")?.uppercased() ?? "INVITE"
        target.parameters.remove("method")
        target.headers = []
        guard method == "INVITE" || method == "BYE" else { return transaction.respond(400, reason: "Unsupported Refer-To Method") }

        let roomID: String
        if let call {
            guard !call.inLobby, !call.waitingForModerator, call.dialog != nil else { return transaction.respond(403, reason: "Not In The Room Yet") }
            roomID = call.roomID
            if method == "BYE" && !call.isModerator {
                guard authorisedAsManager(request, transaction: transaction, of: roomID) else { return }
            }
        } else {
            roomID = request.uri.user ?? ""
            guard directory.rooms[roomID] != nil else { return transaction.respond(404, reason: "No Such Room") }
            guard authorisedAsManager(request, transaction: transaction, of: roomID) else { return }
        }

        if method == "BYE" {
            let targets = calls(in: roomID).filter { Self.sameAddress($0.dialog?.remote.uri ?? $0.dialTarget, target) }
            guard let progress = accept(request, transaction: transaction, call: call) else { return }
            hangUp(targets)
            logger.info("REFER: \(targets.count) call(s) of \(logged(target)) removed from room \(roomID)")
            return notify(progress, targets.isEmpty ? 404 : 200, targets.isEmpty ? "Not Found" : "OK")
        }
        switch addressee(of: target, request: request, call: call) {
        case .room(let targetRoom, let pin):
            guard let call else { return transaction.respond(403, reason: "Refer-To Names This Focus") }
            guard targetRoom != roomID else { return transaction.respond(400, reason: "Already In That Room") }
            guard let progress = accept(request, transaction: transaction, call: call) else { return }
            return transfer(call, to: targetRoom, pin: pin) { [self] status, reason in notify(progress, status, reason) }
        case .focus:
            // The control URI, or this host with no room: Chorus would only be calling itself.
            return transaction.respond(403, reason: "Refer-To Names This Focus")
        case .elsewhere:
            break
        }
        guard dialOutAllowed(target) else {
            logger.warning("REFER to \(logged(target)) refused: dial-out there is not allowed")
            return transaction.respond(403, reason: "Dial-Out Not Allowed")
        }
        guard let progress = accept(request, transaction: transaction, call: call) else { return }
        var headers = SIPHeaders()
        headers.add("Referred-By", request.headers["Referred-By"] ?? "<\(request.from.uri)>")
        logger.info("REFER: dialing \(logged(target)) into room \(roomID) for \(request.from.uri)")
        dialOut(target, into: roomID, headers: headers) { [self] event in
            switch event {
            case .ringing(let status, let reason): notify(progress, status, reason)
            case .answered: notify(progress, 200, "OK")
            case .failed(let status, let reason): notify(progress, status, reason)
            case .refused: notify(progress, 503, "Service Unavailable")
            }
        }
    }

    /// Whom a Refer-To names: a room of this focus (its host and port are the ones the REFER was
    /// sent to; `ROOM*PIN` carries the room's PIN as dialing does), this focus itself (the control
    /// URI, or no user part), or someone elsewhere.
    private func addressee(of target: SIPURI, request: SIPRequest, call: Call?) -> ReferAddressee {
        let contact = call?.dialog?.localContact
        var hosts = Set([request.uri.hostWithoutBrackets.lowercased()])
        if let contact { hosts.insert(contact.hostWithoutBrackets.lowercased()) }
        if let publicHost = configuration.sip.publicHost { hosts.insert(publicHost.lowercased()) }
        guard hosts.contains(target.hostWithoutBrackets.lowercased()) else { return .elsewhere }
        if let port = target.port {
            let ports = [request.uri.port, contact?.port].compactMap { $0 }
            guard ports.contains(port) || (ports.isEmpty && port == 5060) else { return .elsewhere }
        }
        guard let user = target.user, !user.isEmpty, user != configuration.commands.controlUser else { return .focus }
        let (room, pin) = Self.roomAndPIN(fromUser: user)
        return .room(room, pin: pin)
    }

    /// A URI as the logs show it: a dialed `ROOM*PIN` masked.
    func logged(_ uri: SIPURI) -> String {
        userAgent?.endpoint.configuration.loggedURI(uri) ?? "\(uri)"
    }

    /// Answers 202 and sends the first NOTIFY (100 Trying). Outside a dialog the 202 creates the
    /// subscription's dialog.
    private func accept(_ request: SIPRequest, transaction: SIPServerTransaction, call: Call?) -> ReferProgress? {
        let dialog: SIPDialog
        if let callDialog = call?.dialog {
            transaction.respond(202, headers: ["Contact": "<\(callDialog.localContact)>"])
            dialog = callDialog
        } else {
            guard let created = userAgent?.acceptSubscription(transaction, statusCode: 202) else { return nil }
            dialog = created
        }
        let progress = ReferProgress(dialog: dialog, referCSeq: request.cseq.sequence)
        notify(progress, 100, "Trying")
        return progress
    }

    /// A NOTIFY with `SIP/2.0 STATUS REASON`; a final status (≥ 200) terminates the subscription.
    func notify(_ progress: ReferProgress, _ status: Int, _ reason: String) {
        guard !progress.finished, let userAgent else { return }
        let final = status >= 200
        progress.finished = final
        var headers: SIPHeaders = ["Event": progress.event]
        headers.add("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")
        headers.add("Content-Type", "message/sipfrag;version=2.0")
        let body = Array("SIP/2.0 \(status) \(reason)\r\n".utf8)
        let dialog = progress.dialog
        userAgent.send(.notify, in: dialog, headers: headers, body: body) { _ in
            if final, dialog.usage == .subscription { userAgent.forget(dialog) }
        }
    }
}
