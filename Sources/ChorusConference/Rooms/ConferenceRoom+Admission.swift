import ChorusMixer

// MARK: - Admission and prompt tones

extension ConferenceRoom {
    /// Lets a participant into the mix, or keeps them out of it (PIN lobby, waiting for a moderator).
    ///
    /// Kept out, they are neither heard nor hear the room, and hear their repeating cue from its
    /// start; their own controls stay as set and apply again once they are `.mixed`.
    public func setAdmission(_ admission: ParticipantAdmission, for participantID: ParticipantID) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participants[participantID], participant.admission != admission else { return }
        participant.admit(as: admission)
        mixer.setControls(participant.effectiveControls, for: participant.slot)
        logger.info("\(participantID) is now \(admission)")
    }

    /// The participant's admission, if they are in the room.
    public func admission(of participantID: ParticipantID) -> ParticipantAdmission? {
        participants[participantID]?.admission
    }

    /// Plays a tone once to one participant, over whatever they hear (a tone already playing
    /// to them alone is cut short). Heard even if they are deaf or kept out: it is meant for them.
    public func play(_ tone: PromptTone, to participantID: ParticipantID) {
        eventLoop.preconditionInEventLoop()
        participants[participantID]?.cue = TonePlayer(tone)
    }

    /// Plays a tone once to everyone mixed and not deaf, except `excluded` (say, the one who
    /// just joined). Replaces a room tone still playing.
    public func playToAll(_ tone: PromptTone, except excluded: ParticipantID?) {
        eventLoop.preconditionInEventLoop()
        roomCue = RoomCue(player: TonePlayer(tone), except: excluded)
    }

    /// Every participant's state, in join order.
    public func participantSnapshots() -> [ParticipantSnapshot] {
        eventLoop.preconditionInEventLoop()
        return ordered.map(snapshot(of:))
    }

    /// The participant as of the last tick: their leg's figures are copied on its own loop.
    func snapshot(of participant: RoomParticipant) -> ParticipantSnapshot {
        let status = participant.legStatus
        return ParticipantSnapshot(
            id: participant.id,
            codec: participant.format.codec.rawValue,
            srtp: status.srtp,
            controls: participant.controls,
            talking: mixer.isTalking(participant.slot),
            levelDBFS: mixer.level(of: participant.slot),
            admission: participant.admission,
            lossPercent: status.lossPercent,
            jitterMs: status.jitterMs,
            roundTripMs: status.roundTripMs,
            packetsReceived: status.statistics.rtpReceived,
            joinedAt: participant.joinedAt,
            remoteSSRC: participant.remoteSSRC)
    }
}
