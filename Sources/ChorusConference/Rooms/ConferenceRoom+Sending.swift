import ChorusCodecs
import ChorusMixer
import NIOCore

/// One packet's payload as the send phase gets it: immutable, shared by every leg that sends it.
struct OutgoingPacket: Sendable {
    var payload: ByteBuffer
    /// Its duration at the codec's clock rate.
    var samples: Int
}

// MARK: - Sending: shared streams, own streams, and the switch between them

extension ConferenceRoom {
    /// The second half of a tick: what each participant hears, encoded and sent.
    ///
    /// Everyone who hears the common mix (or silence) with the same format gets the payload of one
    /// shared encoder; talkers, and anyone hearing a tone of their own or at their own gain, get
    /// their own. When a listener moves from a shared stream to their own, their encoder first
    /// takes over the shared encoder's state (``FrameEncoder/continueStream(of:)``), so their phone's
    /// decoder, which has been following the shared stream, goes on seamlessly. That has to happen
    /// before the shared encoder encodes this tick, hence a pass of its own.
    ///
    /// **Forwarding.** With two people talking, each hears only the other: that is the other's
    /// own stream, so it is sent as it came (new RTP header and SRTP, the same Opus payload),
    /// without an encode, and without the loss of a second encoding. Taking over from a forwarded
    /// stream, an own encoder is primed with the audio the phone heard last
    /// (``FrameEncoder/prime(with:)``), so its first packet does not start from silence. A
    /// forwarded stream has been through one encoder, a mix through two: each switch between them
    /// moves the audio by the encoder's look-ahead (6.5 ms), repeated or skipped once, which is
    /// less than the 20 ms a jitter buffer adjustment moves it by.
    ///
    /// The payloads are decided and encoded here, on the room's loop; each loop then sends its own
    /// legs' packets (``sendPhase(_:contributingSources:)``), with the RTP header and SRTP of each leg.
    func sendOutputs() {
        collectMixedSources()
        planForwarding()
        for participant in ordered where participant.legSends && participant.forwardSource == nil {
            guard hearsOwnStream(participant) else { continue }
            if let shared = participant.lastEncoder, shared.isShared, participant.lastSentTick == shared.encodedTick {
                participant.ownEncoder.continueStream(of: shared)
                statistics.streamContinuations += 1
            } else if let source = participant.lastForwardSource, source.forwardedFrameTick == participant.lastSentTick {
                source.forwardedFrame.withUnsafeBufferPointer { participant.ownEncoder.prime(with: $0) }
                statistics.streamContinuations += 1
            } else if participant.heardSilenceTick == participant.lastSentTick {
                // From the loop's shared silence: the phone heard silence from another encoder.
                silentFrame.withUnsafeBufferPointer { participant.ownEncoder.prime(with: $0) }
                statistics.streamContinuations += 1
            }
        }
        // Everyone who hears the room's tone gets the same samples of it this tick.
        let tickCue = roomCue.map { $0.player }
        for participant in ordered where participant.legSends {
            plan(for: participant, roomCue: participant.hears(roomCue) ? tickCue : nil)
        }
        if roomCue != nil {
            roomCue?.player.advance(by: silentFrame.count)
            if roomCue?.player.isFinished == true { roomCue = nil }
        }
        keepForwardedFrames()
        dispatchSends()
    }

    /// Hands every loop its legs' packets for this tick; the room's own loop sends last.
    private func dispatchSends() {
        let sources = mixedSources
        for shard in shards {
            let batch = shard.members.compactMap { participant -> (MediaLeg, [OutgoingPacket], UInt32?)? in
                guard participant.legSends, !participant.outgoing.isEmpty else { return nil }
                defer { participant.outgoing = [] }
                return (participant.leg, participant.outgoing, participant.outgoingExcludes)
            }
            guard !batch.isEmpty else { continue }
            shard.loop.runHereOrEnqueue { Self.sendPhase(batch, contributingSources: sources) }
        }
    }

    /// The last phase of a tick, on the legs' loop: each leg sends its packets (its own RTP header,
    /// CSRC list and SRTP), each straight to its socket.
    static func sendPhase(_ batch: [(leg: MediaLeg, packets: [OutgoingPacket], excludes: UInt32?)], contributingSources: [UInt32]) {
        for (leg, packets, excludes) in batch {
            for packet in packets {
                packet.payload.withUnsafeReadableBytes { payload in
                    leg.send(payload: payload, samples: packet.samples, contributingSources: contributingSources, excluding: excludes)
                }
            }
        }
    }

    /// Who is sent another's packets this tick: each of two talkers, when they hear nothing but
    /// the other (Opus both ways, no gains, no tone of their own or the room's, the other's packet
    /// a whole 20 ms frame that decoded cleanly).
    private func planForwarding() {
        let speakers = mixer.activeSpeakers
        guard configuration.forwardsTwoTalkers, speakers.count == 2, roomCue == nil,
            let first = participantsBySlot[speakers[0].index], let second = participantsBySlot[speakers[1].index]
        else { return }
        for (listener, talker) in [(first, second), (second, first)] where canForward(talker, to: listener) {
            listener.forwardSource = talker
        }
    }

    private func canForward(_ talker: RoomParticipant, to listener: RoomParticipant) -> Bool {
        guard talker.forwardablePayload != nil, listener.format.codec == .opus, talker.format.codec == .opus,
            !listener.hasOwnTone, listener.legSends, mixer.output(for: listener.slot) == .individual
        else { return false }
        let listenerControls = mixer.controls(for: listener.slot)
        let talkerControls = mixer.controls(for: talker.slot)
        return ParticipantControls.effectiveGain(listenerControls.outputGain) == 1
            && ParticipantControls.effectiveGain(talkerControls.inputGain) == 1
    }

    /// Plans the talker's packet, as it came, for the listener.
    private func forward(from talker: RoomParticipant, to listener: RoomParticipant) {
        guard let payload = talker.forwardablePayload else { return }
        listener.outgoing = [OutgoingPacket(payload: ByteBuffer(bytes: payload), samples: OpusTickDecoder.samplesPerTick)]
        talker.forwardedFrameTick = tickIndex
        noteSent(to: listener, from: nil, forwardedFrom: talker)
        listener.forwardSource = nil
        statistics.forwardedPackets += 1
    }

    /// Keeps the decoded audio of the talkers forwarded this tick, for priming should their
    /// listener need an encoder of their own on the next tick.
    private func keepForwardedFrames() {
        for slot in mixer.activeSpeakers {
            guard let talker = participantsBySlot[slot.index], talker.forwardedFrameTick == tickIndex else { continue }
            if talker.forwardedFrame.isEmpty { talker.forwardedFrame = [Int16](repeating: 0, count: silentFrame.count) }
            mixer.withLastInputFrame(for: talker.slot) { frame in
                talker.forwardedFrame.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: frame) }
            }
        }
    }

    /// The SSRCs of the participants mixed this tick, loudest first, at most 15 (RFC 3550's CSRC limit).
    private func collectMixedSources() {
        mixedSources.removeAll(keepingCapacity: true)
        guard mixer.participantCount > 0 else { return }
        for slot in mixer.activeSpeakers {
            guard mixedSources.count < 15, let participant = participantsBySlot[slot.index], let ssrc = participant.remoteSSRC else { continue }
            mixedSources.append(ssrc)
        }
    }

    /// Whether the participant is sent their own encoder's output this tick.
    private func hearsOwnStream(_ participant: RoomParticipant) -> Bool {
        switch mixer.output(for: participant.slot) {
        case .individual: true
        case .shared: participant.hasOwnTone || leavesTheMixThisTick(participant)
        case .silence: participant.hasOwnTone
        }
    }

    /// Whether the participant was mixed last tick and is not now. The shared encoder's look-ahead
    /// (6.5 ms) still holds last tick's common mix, their own voice in it: moved onto the shared
    /// stream now, they would hear themselves for a moment (measured: a 500 Hz talker who stopped
    /// abruptly heard their tone at −6 dB in that 50 ms). So for one tick more they get the
    /// common mix from their own encoder, and join the shared stream the tick after.
    private func leavesTheMixThisTick(_ participant: RoomParticipant) -> Bool {
        participant.mixedLastTick && !mixer.isMixed(participant.slot)
    }

    /// Encodes what the participant hears this tick, with `roomCue` overlaid if given, and plans its packets.
    private func plan(for participant: RoomParticipant, roomCue: TonePlayer?) {
        if let talker = participant.forwardSource { return forward(from: talker, to: participant) }
        let output = mixer.output(for: participant.slot)
        let encoder: FrameEncoder?
        if participant.hasOwnTone || (roomCue != nil && output == .individual) {
            encoder = encodeWithTones(for: participant, roomCue: roomCue)
        } else {
            switch output {
            case .silence where roomCue == nil && participant.format.codec == .opus:
                // Deaf, or nothing to hear (a lone talker): still a steady stream, so phones that
                // watch for RTP do not hang up; silence encoded once for every room on this loop.
                let silence = SilenceStreams.current.packets(for: participant.format, now: eventLoop.now)
                if silence.encoded { statistics.silenceEncodes += 1 }
                participant.outgoing = silence.packets
                participant.heardSilenceTick = tickIndex
                noteSent(to: participant, from: nil, forwardedFrom: nil)
                return
            case .silence:
                encoder = sharedEncoder(for: SharedStream(format: participant.format, source: .silence, withRoomCue: roomCue != nil), roomCue: roomCue)
            case .individual:
                encoder = encodeOwnMix(for: participant)
            case .shared where roomCue == nil && leavesTheMixThisTick(participant):
                encoder = encodeOwnMix(for: participant)
            case .shared:
                encoder = sharedEncoder(for: SharedStream(format: participant.format, source: .mix, withRoomCue: roomCue != nil), roomCue: roomCue)
            }
        }
        guard let encoder else { return }
        noteSent(to: participant, from: encoder, forwardedFrom: nil)
        participant.outgoing = encoder.outgoingPackets(tick: tickIndex)
    }

    /// Notes where this tick's packets for the participant came from: the stream their phone's
    /// decoder now follows, which the next tick's switch to another stream continues from.
    private func noteSent(to participant: RoomParticipant, from encoder: FrameEncoder?, forwardedFrom talker: RoomParticipant?) {
        // The CSRC list names who is in what they hear: everyone mixed, except themselves (a lone
        // talker hearing silence is named to nobody).
        participant.outgoingExcludes = mixer.isMixed(participant.slot) ? participant.remoteSSRC : nil
        participant.lastEncoder = encoder
        participant.lastForwardSource = talker
        participant.lastSentTick = tickIndex
    }

    /// The encoder of a stream many listeners share, encoding this tick's frame on its first use.
    private func sharedEncoder(for stream: SharedStream, roomCue: TonePlayer?) -> FrameEncoder? {
        guard let encoder = encoder(for: stream) else { return nil }
        guard encoder.encodedTick != tickIndex else { return encoder }
        if encoder.encodedTick != tickIndex - 1 {
            // Nobody heard it last tick: its look-ahead still holds the mix of the last tick it
            // encoded, maybe with the voice of someone who now joins it (measured: a talker who
            // stopped while the other talker's packet was late heard their tone back at -12 dB in
            // one frame). Start it over from silence instead.
            silentFrame.withUnsafeBufferPointer { encoder.prime(with: $0) }
        }
        if var roomCue {
            scratchFrame.withUnsafeMutableBufferPointer { scratch in
                switch stream.source {
                case .silence: scratch.update(repeating: 0)
                case .mix: mixer.withSharedMix { _ = scratch.update(fromContentsOf: $0) }
                }
                roomCue.mix(into: scratch)
                encoder.encode(UnsafeBufferPointer(scratch), tick: tickIndex)
            }
        } else {
            switch stream.source {
            case .silence: silentFrame.withUnsafeBufferPointer { encoder.encode($0, tick: tickIndex) }
            case .mix: mixer.withSharedMix { encoder.encode($0, tick: tickIndex) }
            }
        }
        if stream.source == .mix || roomCue != nil { statistics.sharedEncodes += 1 }
        return encoder
    }

    /// What the mixer made for the participant, through their own encoder.
    private func encodeOwnMix(for participant: RoomParticipant) -> FrameEncoder {
        let own = participant.ownEncoder
        mixer.withOutputFrame(for: participant.slot) { own.encode($0) }
        statistics.individualEncodes += 1
        return own
    }

    /// What the participant would hear, with the tones for them on top, through their own encoder.
    private func encodeWithTones(for participant: RoomParticipant, roomCue: TonePlayer?) -> FrameEncoder {
        let encoder = participant.ownEncoder
        scratchFrame.withUnsafeMutableBufferPointer { scratch in
            mixer.withOutputFrame(for: participant.slot) { _ = scratch.update(fromContentsOf: $0) }
            if var roomCue { roomCue.mix(into: scratch) }
            participant.mixOwnTones(into: scratch)
            encoder.encode(UnsafeBufferPointer(scratch))
        }
        statistics.individualEncodes += 1
        return encoder
    }

    private func encoder(for stream: SharedStream) -> FrameEncoder? {
        if let encoder = sharedEncoders[stream] { return encoder }
        guard let encoder = try? FrameEncoder(format: stream.format, isShared: true) else {
            logger.error("cannot create an encoder for \(stream.format)")
            return nil
        }
        sharedEncoders[stream] = encoder
        return encoder
    }
}

/// What one shared encoder encodes: every listener with the same format who hears the same
/// frame (the common mix or silence, with or without the room's tone) gets its payload.
struct SharedStream: Hashable {
    enum Source: Hashable { case silence, mix }
    var format: ParticipantAudioFormat
    var source: Source
    var withRoomCue: Bool
}
