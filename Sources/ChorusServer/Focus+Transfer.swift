import ChorusConference
import ChorusSDP
import ChorusSIP
import NIOCore

/// Moving participants between rooms.
///
/// **Inside Chorus** (``transfer(_:to:pin:done:)``, for a participant's REFER naming another room):
/// a room and its legs live on one event loop, and a leg's socket cannot move to another loop.
/// So the participant gets a new leg on the target room's loop, on a new port pair, and Chorus
/// re-INVITEs the phone with an offer for it; once the phone answers, the participant is taken
/// out of the old room (the old leg closes) and joins the new one, in the same call. If the
/// phone refuses (488, 491) or does not answer, the call stays where it was.
///
/// **By REFER** (``move(_:to:done:)``, the `move` command): Chorus sends the phone a REFER to the
/// target room's URI (RFC 3515); the phone calls it, and when its NOTIFY reports success Chorus
/// ends the old call. Phones that refuse REFER are moved inside Chorus instead.
extension Focus {
    /// Moves `call`'s participant into `targetRoomID`; `done` gets the outcome as a SIP status.
    /// Into a room with a PIN the participant arrives in its lobby, unless `pin` is the PIN.
    func transfer(_ call: Call, to targetRoomID: String, pin: String? = nil, done: @escaping @Sendable (Int, String) -> Void) {
        guard let dialog = call.dialog, let userAgent, !call.ended else { return done(481, "Call Does Not Exist") }
        guard call.pendingOffer == nil, !call.moving else { return done(491, "Request Pending") }
        let admitted: RoomDirectory.Room
        do {
            admitted = try directory.admit(to: targetRoomID)
        } catch {
            return done(error.statusCode, error.reason)
        }
        guard let rtpPort = ports.reserve() else {
            directory.leave(targetRoomID)
            return done(503, "No Media Ports")
        }
        var session = call.session
        session.version += 1
        let room = room(forJoining: targetRoomID)
        let moved = Call(
            participant: ParticipantID(nextParticipant), roomID: targetRoomID, room: room, rtpPort: rtpPort,
            localAddress: call.localAddress, session: session, capabilities: call.capabilities)
        nextParticipant += 1
        moved.controls = call.controls
        moved.dialTarget = call.dialTarget
        // The same phone's call: it counts against its source's limit as the old one did.
        if let source = call.source {
            moved.source = source
            callsBySource[source, default: 0] += 1
        }
        if let required = admitted.pin, !Self.constantTimeEquals(pin ?? "", required) { enterLobby(moved) }
        calls[moved.participant] = moved
        call.moving = true
        logger.info("\(call.participant): moving from room \(call.roomID) to \(targetRoomID) as \(moved.participant)")

        let prepare: @Sendable () -> MediaLegParameters = {
            let (offer, pending) = OfferAnswer.makeOffer(transport: moved.transport, capabilities: moved.capabilities, session: moved.session)
            moved.localDescription = offer
            moved.pendingOffer = pending
            return Self.silentLegParameters
        }
        openLeg(for: moved, prepare: prepare).whenComplete { [self] result in
            guard case .success(let leg) = result, let offer = moved.localDescription, let pending = moved.pendingOffer, !call.ended else {
                call.moving = false
                end(moved, reason: "transfer failed")
                return done(503, "Media Unavailable")
            }
            moved.leg = leg
            var contactParameters = SIPParameters()
            contactParameters.set("isfocus", nil)
            userAgent.reInvite(dialog, body: Array(offer.serialized().utf8), contactParameters: contactParameters) { [self] response in
                call.moving = false
                guard let response, response.isSuccess, !call.ended,
                    let answer = try? SessionDescription(parsing: response.body),
                    let audio = try? OfferAnswer.acceptAnswer(answer, to: pending)
                else {
                    end(moved, reason: "transfer refused")
                    logger.info("\(call.participant): the phone did not take the move to room \(targetRoomID)")
                    return done(response?.statusCode ?? 408, response?.reasonPhrase ?? "Request Timeout")
                }
                // The dialog now belongs to the participant in the new room; the old one goes
                // without a BYE.
                call.dialog = nil
                moved.dialog = dialog
                moved.pendingOffer = nil
                callsByDialog[dialog.id] = moved.participant
                end(call, reason: "moved to room \(targetRoomID)")
                apply(audio, to: moved)
                done(200, "OK")
            }
        }
    }

    /// The `move` command: each call is asked by REFER to call `targetRoomID`; one that refuses
    /// REFER is moved inside Chorus. `done` gets how many went which way.
    func move(_ targets: [Call], to targetRoomID: String, done: @escaping @Sendable (CommandReply) -> Void) {
        guard let userAgent else { return done(.error("the server is shutting down")) }
        let tally = MoveTally(pending: targets.count)
        guard !targets.isEmpty else { return done(.ok("moved nobody")) }
        // Called once per target; the last one answers (a REFER that cannot be sent fails at once).
        let finish: @Sendable () -> Void = {
            tally.pending -= 1
            guard tally.pending == 0 else { return }
            var parts: [String] = []
            if tally.byRefer > 0 { parts.append("\(tally.byRefer) asked by REFER") }
            if tally.internally > 0 { parts.append("\(tally.internally) moved by re-INVITE") }
            if tally.failed > 0 { parts.append("\(tally.failed) could not be moved") }
            done(tally.failed == targets.count ? .error("move: \(parts.joined(separator: ", "))") : .ok("move to room \(targetRoomID): \(parts.joined(separator: ", "))"))
        }
        for call in targets {
            guard let dialog = call.dialog else {
                tally.failed += 1
                finish()
                continue
            }
            let referTo = conferenceURI(targetRoomID, host: dialog.localContact)
            var headers: SIPHeaders = ["Refer-To": "<\(referTo)>"]
            headers.add("Referred-By", "<\(conferenceURI(configuration.commands.controlUser, host: dialog.localContact))>")
            headers.add("Contact", "<\(dialog.localContact)>;isfocus")
            call.referredTo = targetRoomID
            userAgent.send(.refer, in: dialog, headers: headers) { [self] response in
                if let response, response.isSuccess {
                    tally.byRefer += 1
                    return finish()
                }
                call.referredTo = nil
                logger.info("\(call.participant): REFER to room \(targetRoomID) refused (\(response?.statusCode ?? 408)); moving inside Chorus")
                transfer(call, to: targetRoomID) { status, _ in
                    if status == 200 { tally.internally += 1 } else { tally.failed += 1 }
                    finish()
                }
            }
        }
    }

    /// A NOTIFY in a call: the progress of a REFER Chorus sent (RFC 3515 §2.4.5). Success means
    /// the phone is in the new room, so its old call ends. With no REFER of Chorus's outstanding
    /// there is no subscription: 481.
    func receiveNotify(_ request: SIPRequest, transaction: SIPServerTransaction, call: Call) {
        guard let event = request.headers["Event"].map(EventHeader.init), event.package == "refer" else {
            return transaction.respond(489, headers: ["Allow-Events": "conference, refer"])
        }
        let text = String(decoding: request.body, as: UTF8.self)
        let words = text.split(separator: "\r\n").first?.split(separator: " ") ?? []
        guard words.count >= 2, words[0].hasPrefix("SIP/2.0"), let status = Int(words[1]) else {
            return transaction.respond(400, reason: "Bad Sipfrag")
        }
        // Only a REFER Chorus sent (and has not heard the end of) makes a subscription here.
        guard let targetRoom = call.referredTo else { return transaction.respond(481, reason: "No Such Subscription") }
        transaction.respond(200)
        guard status >= 200 else { return }
        call.referredTo = nil
        if (200..<300).contains(status), let dialog = call.dialog {
            logger.info("\(call.participant): joined room \(targetRoom) as asked; ending the old call")
            userAgent?.hangUp(dialog)
        } else {
            logger.info("\(call.participant): could not join room \(targetRoom): \(status)")
        }
    }
}

/// Counts the outcomes of one `move`; touched on the SIP loop only.
private final class MoveTally: @unchecked Sendable {
    var pending: Int
    var byRefer = 0
    var internally = 0
    var failed = 0
    init(pending: Int) { self.pending = pending }
}
