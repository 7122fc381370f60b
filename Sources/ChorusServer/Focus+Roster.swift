import ChorusConference
import ChorusSIP
import Foundation
import NIOCore

/// The roster of a room: who is in it and in what state, as `info` answers and as the conference
/// event package (RFC 4575) notifies. Both are rendered from one ``RoomDetails``, built here.
///
/// Anything that changes the roster (a join or leave, mute, hold, the lobby, talking, recording)
/// calls ``rosterChanged(_:)``; changes within ``rosterCoalescing`` go out in one notification.
extension Focus {
    /// Roster changes this close together are notified together.
    static let rosterCoalescing: TimeAmount = .milliseconds(100)

    /// The room's settings, owners, participants and recording state; nil for no such room.
    func roomDetails(_ roomID: String, done: @escaping @Sendable (RoomDetails?) -> Void) {
        guard let room = directory.rooms[roomID] else { return done(nil) }
        let recording = recordings[roomID] != nil
        participantSummaries(in: roomID) { [self] participants in
            // Settings as they are now (they may have changed while the room's loop answered).
            let current = directory.rooms[roomID] ?? room
            done(RoomDetails(room: summary(current), owners: current.owners, participants: participants, recording: recording))
        }
    }

    /// Participants of a room as `info`, `who` and the roster show them; talking, loss, jitter
    /// and the SSRC come from the room's loop.
    func participantSummaries(in roomID: String, done: @escaping @Sendable ([ParticipantSummary]) -> Void) {
        let roomCalls = calls(in: roomID).sorted { $0.participant.rawValue < $1.participant.rawValue }
        guard let room = roomCalls.first?.room else { return done([]) }
        room.eventLoop.submit { room.participantSnapshots() }.hop(to: sipLoop).whenComplete { [self] result in
            let snapshots = Dictionary(((try? result.get()) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let formatter = ISO8601DateFormatter()
            done(roomCalls.map { summary(of: $0, snapshot: snapshots[$0.participant], formatter: formatter) })
        }
    }

    private func summary(of call: Call, snapshot: ParticipantSnapshot?, formatter: ISO8601DateFormatter) -> ParticipantSummary {
        let keptOut = call.inLobby || call.waitingForModerator
        let onHold = call.audio.map { !$0.chorusSends } ?? false
        let sends = (call.audio?.chorusReceives ?? false) && !onHold && !call.controls.muted && !keptOut
        let hears = (call.audio?.chorusSends ?? false) && !call.controls.deaf && !keptOut
        let mediaStatus = sends && hears ? "sendrecv" : sends ? "sendonly" : hears ? "recvonly" : "inactive"
        let status: String
        if call.dialog == nil {
            status = call.dialTarget == nil ? "dialing-in" : "dialing-out"
        } else if keptOut {
            status = "pending"
        } else if onHold {
            status = "on-hold"
        } else if call.controls.muted {
            status = "muted-via-focus"
        } else {
            status = "connected"
        }
        // Before the call is answered there is no dialog yet: the INVITE names the caller.
        let user = call.dialog.map { "\($0.remote.uri)" } ?? call.dialTarget.map { "\($0)" } ?? call.invite.map { "\($0.request.from.uri)" } ?? ""
        return ParticipantSummary(
            number: Int(call.participant.rawValue), displayName: call.dialog?.remote.displayName,
            uri: user, codec: call.audio?.codec.kind.rawValue ?? "-",
            srtp: call.audio?.srtp != nil, muted: call.controls.muted, deaf: call.controls.deaf,
            talking: snapshot?.talking ?? false, joinedAt: formatter.string(from: call.joinedAt),
            lossPercent: snapshot?.lossPercent, jitterMs: snapshot?.jitterMs, inLobby: call.inLobby,
            entity: user, endpoint: call.dialog.map { "\($0.remoteTarget)" } ?? call.invite?.request.contactURI.map { "\($0)" } ?? user, status: status,
            joiningMethod: call.dialTarget == nil ? "dialed-in" : "dialed-out", mediaStatus: mediaStatus,
            ssrc: snapshot?.remoteSSRC)
    }

    // MARK: - Changes

    /// Someone joined or left `roomID`, or it was destroyed: its subscribers hear of it, and
    /// when the room is gone their subscriptions end.
    func roomMembershipChanged(_ roomID: String) {
        guard directory.rooms[roomID] != nil else { return terminateSubscriptions(of: roomID, reason: "noresource") }
        rosterChanged(roomID)
    }

    /// The roster of `roomID` changed; its subscribers get a partial notification shortly.
    func rosterChanged(_ roomID: String) {
        guard rosterFlushes[roomID] == nil, conferenceSubscriptions.values.contains(where: { $0.roomID == roomID }) else { return }
        rosterFlushes[roomID] = sipLoop.scheduleTask(in: Self.rosterCoalescing) { [self] in
            rosterFlushes.removeValue(forKey: roomID)
            roomDetails(roomID) { [self] details in
                guard let details else { return terminateSubscriptions(of: roomID, reason: "noresource") }
                for subscription in conferenceSubscriptions.values where subscription.roomID == roomID {
                    notifyChanges(subscription, details: details)
                }
            }
        }
    }

    /// Whether the room's media loop should report talking changes: only while someone listens.
    func updateTalkerReports(_ roomID: String) {
        guard let room = rooms[roomID] else { return }
        let wanted = conferenceSubscriptions.values.contains { $0.roomID == roomID }
        room.eventLoop.execute { room.reportTalkers(wanted) }
    }
}
