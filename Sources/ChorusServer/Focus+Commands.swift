import ChorusConference
import ChorusMixer
import ChorusSIP
import Foundation
import Logging
import NIOCore

/// Room management by SIP MESSAGE (RFC 3428).
///
/// A MESSAGE to the control URI (`sip:chorus@host`) or to a room's URI carries one `text/plain`
/// command. Outside a call the sender must authenticate (digest, ``CommandAuthenticator``) and be
/// an admin, or an owner of the room concerned; inside their own call a participant may run the
/// self-service commands without more ado. The MESSAGE is answered 200 once the command is taken
/// (RFC 3428 §7: a 2xx carries no result), and the result travels back in a MESSAGE of its own,
/// from the address the command was sent to, as text or, with `--json`, as JSON.
extension Focus {
    func receiveMessage(_ request: SIPRequest, transaction: SIPServerTransaction, dialog: SIPDialog?) {
        let text = String(decoding: request.body, as: UTF8.self)
        let context: CommandContext
        var sender: String?
        if let dialog {
            guard let call = call(for: dialog) else { return transaction.respond(481) }
            context = .participant(room: call.roomID)
        } else {
            // Authentication comes first: before it, every room looks the same (no 404 tells a
            // scanner which rooms exist).
            switch commandAuthenticator.authenticate(request, from: transaction.peer.remote) {
            case .challenge(let headers):
                return transaction.respond(401, headers: headers)
            case .forbidden(let reason):
                return transaction.respond(403, reason: reason)
            case .overLimit(let retryAfter):
                return refuseOverLimit(transaction, retryAfter: retryAfter)
            case .authenticated(let username):
                sender = username
            }
            let user = request.uri.user ?? ""
            if user == configuration.commands.controlUser {
                context = .control
            } else if directory.rooms[user] != nil {
                context = .room(user)
            } else {
                return transaction.respond(404, reason: "No Such Room")
            }
        }

        let parsed: ParsedCommand
        switch CommandParser.parse(text, context: context) {
        case .failure(let error):
            transaction.respond(200)
            return reply(.error(error.message), json: text.contains("--json"), to: request, transaction: transaction, dialog: dialog)
        case .success(let command):
            parsed = command
        }
        if let sender, let refusal = authorisationProblem(parsed.command, user: sender) {
            logger.warning("command refused for \(sender): \(refusal)")
            return transaction.respond(403, reason: refusal)
        }
        transaction.respond(200)
        let actor = dialog.flatMap { call(for: $0) }
        execute(parsed.command, by: actor, sender: request.from.uri) { [self] result in
            reply(result, json: parsed.wantsJSON, to: request, transaction: transaction, dialog: dialog)
        }
    }

    /// Nil when `user` may run `command`; else the 403 reason.
    private func authorisationProblem(_ command: ConferenceCommand, user: String) -> String? {
        if commandAuthenticator.isAdmin(user) { return nil }
        if command.needsAdmin { return "Admins Only" }
        guard let roomID = command.room, directory.rooms[roomID] != nil else { return "Admins Only" }
        // Moving people into a room takes the right to manage that room too.
        if case .move(_, _, let target) = command, !mayManage(target, user: user) { return "Not An Owner Of The Target Room" }
        return mayManage(roomID, user: user) ? nil : "Not An Owner Of This Room"
    }

    // MARK: - Executing

    private func execute(_ command: ConferenceCommand, by actor: Call?, sender: SIPURI, done: @escaping @Sendable (CommandReply) -> Void) {
        switch command {
        case .help(let topic):
            done(.help(CommandHelp.text(for: topic)))
        case .rooms:
            done(.rooms(directory.rooms.values.sorted { $0.id < $1.id }.map(summary)))
        case .info(let roomID):
            roomDetails(roomID) { details in
                done(details.map { .details($0) } ?? .error("no room \(roomID)"))
            }
        case .who(let roomID):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            participantSummaries(in: roomID) { done(.who($0)) }
        case .create(let roomID, let pin, let max, let owners, let moderated):
            guard directory.rooms[roomID]?.origin != .configured, directory.rooms[roomID]?.origin != .created else {
                return done(.error("room \(roomID) exists"))
            }
            directory.create(roomID, maxParticipants: max, pin: pin, owners: owners, moderated: moderated)
            persist(roomID)
            done(.ok("room \(roomID) created"))
        case .destroy(let roomID):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            let hungUp = hangUp(calls(in: roomID))
            directory.destroy(roomID)
            forget(roomID)
            roomMembershipChanged(roomID)
            done(.ok("room \(roomID) destroyed; \(hungUp) call(s) ended"))
        case .lock(let roomID), .unlock(let roomID):
            let locking = if case .lock = command { true } else { false }
            guard directory.update(roomID, { $0.locked = locking }) != nil else { return done(.error("no room \(roomID)")) }
            persist(roomID)
            done(.ok("room \(roomID) \(locking ? "locked" : "unlocked")"))
        case .setPIN(let roomID, let pin):
            guard directory.update(roomID, { $0.pin = pin }) != nil else { return done(.error("no room \(roomID)")) }
            persist(roomID)
            done(.ok(pin == nil ? "room \(roomID) has no PIN now" : "room \(roomID) has a new PIN"))
        case .setMax(let roomID, let max):
            guard directory.update(roomID, { $0.maxParticipants = max }) != nil else { return done(.error("no room \(roomID)")) }
            persist(roomID)
            done(.ok("room \(roomID) takes at most \(max) participants"))
        case .mute(let roomID, let who), .unmute(let roomID, let who), .deaf(let roomID, let who), .undeaf(let roomID, let who):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            let targets: [Call]
            switch resolve(who, in: roomID, sender: sender) {
            case .failure(let failure): return done(.error(failure.message))
            case .success(let calls): targets = calls
            }
            for call in targets { change(call, by: command) }
            done(.ok("\(describe(command)) \(targets.count) participant(s) in room \(roomID)"))
        case .kick(let roomID, let who):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            switch resolve(who, in: roomID, sender: sender) {
            case .failure(let failure): done(.error(failure.message))
            case .success(let calls): done(.ok("kicked \(hangUp(calls)) participant(s) from room \(roomID)"))
            }
        case .invite(let roomID, let uri):
            guard let target = try? SIPURI(parsing: uri) else { return done(.error("invite: \(uri) is not a SIP URI")) }
            invite(target, into: roomID, done: done)
        case .move(let roomID, let who, let target):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            guard target != roomID else { return done(.error("move: they are in room \(roomID) already")) }
            switch resolve(who, in: roomID, sender: sender) {
            case .failure(let failure): done(.error(failure.message))
            case .success(let calls): move(calls, to: target, done: done)
            }
        case .record(let roomID, let start):
            guard directory.rooms[roomID] != nil else { return done(.error("no room \(roomID)")) }
            done(start ? startRecording(roomID) : stopRecording(roomID))
        case .recordings(let roomID):
            // An auto-created room is gone once its last participant leaves; its recordings stay.
            let summaries = recordingSummaries(of: roomID)
            guard directory.rooms[roomID] != nil || !summaries.isEmpty else { return done(.error("no room \(roomID)")) }
            done(.recordings(summaries))
        case .selfMute, .selfUnmute, .selfDeaf, .selfUndeaf:
            guard let actor else { return done(.error("only inside a call")) }
            change(actor, by: command)
            done(.ok("you are \(describe(command))"))
        }
    }

    private func describe(_ command: ConferenceCommand) -> String {
        switch command {
        case .mute, .selfMute: "muted"
        case .unmute, .selfUnmute: "unmuted"
        case .deaf, .selfDeaf: "deafened"
        case .undeaf, .selfUndeaf: "undeafened"
        default: "changed"
        }
    }

    /// Applies a mute/deaf change to one call's controls.
    private func change(_ call: Call, by command: ConferenceCommand) {
        var controls = call.controls
        switch command {
        case .mute, .selfMute: controls.muted = true
        case .unmute, .selfUnmute: controls.muted = false
        case .deaf, .selfDeaf: controls.deaf = true
        case .undeaf, .selfUndeaf: controls.deaf = false
        default: return
        }
        apply(controls, to: call)
    }

    /// The calls a WHO names in a room. `all` spares the sender's own call.
    private func resolve(_ who: ParticipantSelector, in roomID: String, sender: SIPURI) -> Result<[Call], CommandFailure> {
        let inRoom = calls(in: roomID)
        switch who {
        case .all:
            return .success(inRoom.filter { !Self.sameAddress($0.dialog?.remote.uri, sender) })
        case .number(let number):
            guard let call = inRoom.first(where: { $0.participant.rawValue == UInt64(number) }) else {
                return .failure(CommandFailure("no participant \(number) in room \(roomID); send 'who \(roomID)'"))
            }
            return .success([call])
        case .uri(let text):
            guard let uri = try? SIPURI(parsing: text) else { return .failure(CommandFailure("\(text) is not a SIP URI")) }
            let matching = inRoom.filter { Self.sameAddress($0.dialog?.remote.uri, uri) }
            guard !matching.isEmpty else { return .failure(CommandFailure("nobody from \(text) in room \(roomID)")) }
            return .success(matching)
        }
    }

    static func sameAddress(_ left: SIPURI?, _ right: SIPURI) -> Bool {
        guard let left else { return false }
        return left.user == right.user && left.host.lowercased() == right.host.lowercased()
    }

    func summary(_ room: RoomDirectory.Room) -> RoomSummary {
        RoomSummary(
            id: room.id, displayName: room.displayName, participants: room.participantCount,
            maxParticipants: room.maxParticipants, locked: room.locked, moderated: room.moderated, hasPIN: room.pin != nil)
    }

    // MARK: - Replies

    /// Sends the result as a MESSAGE back to whoever sent the command: inside their call, or from
    /// the address they wrote to, along the flow their MESSAGE came in on.
    private func reply(_ result: CommandReply, json: Bool, to request: SIPRequest, transaction: SIPServerTransaction, dialog: SIPDialog?) {
        guard let userAgent else { return }
        let rendered = result.rendered(json: json)
        let headers: SIPHeaders = ["Content-Type": rendered.contentType]
        let body = Array(rendered.body.utf8)
        let message: SIPRequest
        let peer: SIPPeer
        if let dialog {
            message = dialog.makeRequest(.message, headers: headers, body: body)
            peer = userAgent.nextHop(for: dialog)
        } else {
            var from = request.to
            from.tag = SIPToken.tag()
            message = SIPRequest(
                method: .message, uri: request.contactURI ?? request.from.uri, via: [], from: from,
                to: SIPNameAddress(displayName: request.from.displayName, uri: request.from.uri), callID: SIPToken.callID(),
                cseq: SIPCSeq(1, .message), maxForwards: 70, headers: headers, body: body)
            peer = transaction.peer
        }
        userAgent.endpoint.sendRequest(message, to: peer) { [logger] event in
            if case .timeout = event { logger.info("command reply MESSAGE to \(request.from.uri) timed out") }
        }
    }
}

/// A command that cannot be carried out; its one-line reason goes back to the sender.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
