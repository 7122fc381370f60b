import ChorusCodecs
import ChorusMixer
import ChorusRTP
import NIOCore

/// What the decode phase found for a participant this tick.
enum TickInput {
    /// Nothing to mix: not received, on hold, a DTX gap, no stream yet.
    case none
    /// A frame, in ``RoomParticipant/decodedFrame``.
    case decoded
    /// Left undecoded, at the level the sender reported (−dBov).
    case level(UInt8)
    /// Loud enough to start talking: the room decides (``RoomParticipant/heldOutput`` holds the packet).
    case candidate(UInt8)
}

/// The participants of a room whose legs live on one loop.
final class LegShard: @unchecked Sendable {
    let loop: any EventLoop
    /// Touched on the room's loop only; each tick hands the loop a copy.
    var members: [RoomParticipant] = []
    init(loop: any EventLoop) { self.loop = loop }
}

/// A leg's counters and reception quality, copied on its loop for the room's snapshots.
struct LegStatus {
    var statistics = MediaLegStatistics()
    var srtp = false
    var lossPercent: Double?
    var jitterMs: Double?
    var roundTripMs: Double?
    /// The jitter buffer's target delay.
    var jitterBufferMs = 0

    init() {}

    /// Read on the leg's loop.
    init(_ leg: MediaLeg) {
        statistics = leg.statistics
        srtp = leg.parameters.srtp != nil
        roundTripMs = leg.roundTripMilliseconds
        jitterBufferMs = leg.jitterBuffer.targetDelayMs
        let reception = leg.receiveStatistics
        if reception.isValid {
            let expected = Double(reception.expected)
            lossPercent = expected > 0 ? max(0, Double(reception.cumulativeLost)) / expected * 100 : nil
            jitterMs = Double(reception.jitter) * 1000 / Double(reception.clockRate)
        }
    }
}

/// Frames decoded and left undecoded by one decode phase.
struct DecodeCounts: Sendable {
    var decoded = 0
    var skipped = 0
}

extension ConferenceRoom.Statistics {
    mutating func add(_ counts: DecodeCounts) {
        decodedFrames += counts.decoded
        skippedDecodes += counts.skipped
    }
}

// MARK: - Decoding: only what can reach the mix

extension ConferenceRoom {
    /// What the decode phase needs from the room; copied before it starts.
    struct DecodePhaseSettings: Sendable {
        /// The talk detector's start threshold as an RFC 6464 level (−dBov).
        var startLevel: Float
        var inactivityTimeout: TimeAmount
        var checksInactivity: Bool
        /// When the tick was due: spare is measured from then, not from the (later) read.
        var tickDue: NIODeadline
    }

    /// Prepares the tick: what each participant's decode phase must know of the mixer.
    func decodePhaseSettings(_ index: Int, due: NIODeadline) -> DecodePhaseSettings {
        for participant in ordered {
            participant.mixedLastTick = mixer.isMixed(participant.slot)
            participant.mutedThisTick = participant.effectiveControls.muted
        }
        return DecodePhaseSettings(
            startLevel: -mixer.talkStartThresholdDBFS, inactivityTimeout: configuration.inactivityTimeout,
            checksInactivity: index % Self.inactivityCheckTicks == 0, tickDue: due)
    }

    /// The first phase of a tick, on the loop of `members`' legs: every leg's housekeeping, and
    /// for each participant one frame decoded, or a level, or nothing.
    ///
    /// Decoding costs about 23 µs a frame, and in a large room almost nobody talks. So an Opus
    /// participant is decoded only when their audio could be mixed this tick:
    /// - they were mixed last tick (talking, or in the hangover after it), or were decoding and the
    ///   tick continues that (a long packet, a loss to conceal, the fade-out of a stream that stopped);
    /// - their stream carries no RFC 6464 levels, so nothing else tells;
    /// - or their level reaches the talk detector's start threshold: they become a candidate, and
    ///   the room decodes the ``Configuration/decodeCandidatesPerTick`` loudest of them.
    ///
    /// Everyone else's packet is skipped: their level goes to the mixer's talk detection instead
    /// (``ConferenceMixer/setUndecodedInput(levelDBFS:for:)``) and the decoder keeps it for a clean
    /// resumption (``OpusTickDecoder/skip(_:)``). Muted participants and those kept out of the mix
    /// are never candidates. DTX gaps cost nothing either way. G.711 is decoded as it comes (it is
    /// cheap, and G.711 phones send no levels).
    static func decodePhase(_ members: [RoomParticipant], _ settings: DecodePhaseSettings) -> DecodeCounts {
        var counts = DecodeCounts()
        // Every packet that arrived before this tick, into the jitter buffers; they are pulled as
        // of that read, so none counts a packet missing that is only still in the kernel.
        guard let readAt = members.first?.leg.receiveWaitingPackets() else { return counts }
        // A loop that reads late sees every packet's spare grown by its lateness, which moving
        // the ticks earlier would not take away (the loop is busy either way): count from the due time.
        let readLateMs = Int(max(0, (readAt - settings.tickDue).nanoseconds) / 1_000_000)
        for participant in members {
            participant.tickInput = .none
            participant.decodedArrival = nil
            participant.playoutSpareMs = nil
            participant.forwardablePayload = nil
            let leg = participant.leg
            leg.tick()
            participant.legSends = leg.parameters.sends
            participant.legReceives = leg.parameters.receives
            participant.remoteSSRC = leg.remoteSSRC
            participant.legStatus = LegStatus(leg)
            if settings.checksInactivity {
                // Only a call that should be sending to Chorus can be silent for too long.
                participant.inactive = leg.parameters.receives && leg.parameters.sends
                    && leg.eventLoop.now - leg.lastActivity > settings.inactivityTimeout
            }
            guard leg.parameters.receives else { continue }
            let now = leg.milliseconds(at: readAt)
            guard leg.parameters.sends else {
                // On hold (sendonly from their side): not mixed, but keep the buffer drained.
                participant.decoder.discardTick(from: &leg.jitterBuffer, nowMilliseconds: now)
                continue
            }
            switch participant.decoder {
            case .g711(let decoder):
                participant.withDecodedFrame { frame in
                    _ = decoder.nextFrame(from: &leg.jitterBuffer, nowMilliseconds: now, into: frame)
                }
                participant.tickInput = .decoded
                counts.decoded += 1
            case .opus(let decoder):
                let output = leg.jitterBuffer.pull(now: now)
                switch output {
                case .silence where decoder.isDecoding:
                    // The stream stopped after audio: one frame fades it out.
                    decode(participant, output, with: decoder, arrival: nil)
                    counts.decoded += 1
                case .silence:
                    decoder.skip(output)
                case .covered, .lost:
                    if decoder.isDecoding || participant.mixedLastTick {
                        decode(participant, output, with: decoder, arrival: nil)
                        counts.decoded += 1
                    } else {
                        decoder.skip(output)
                    }
                case .frame:
                    participant.playoutSpareMs = leg.jitterBuffer.playedSpareMs - readLateMs
                    guard let level = leg.jitterBuffer.playedAudioLevel, !participant.mixedLastTick else {
                        decode(participant, output, with: decoder, arrival: leg.deadline(ofMilliseconds: leg.jitterBuffer.playedArrivalMs))
                        counts.decoded += 1
                        continue
                    }
                    if Float(level.level) <= settings.startLevel && !participant.mutedThisTick {
                        participant.heldOutput = output
                        participant.heldArrival = leg.deadline(ofMilliseconds: leg.jitterBuffer.playedArrivalMs)
                        participant.tickInput = .candidate(level.level)
                    } else {
                        decoder.skip(output)
                        participant.tickInput = .level(level.level)
                        counts.skipped += 1
                    }
                }
            }
        }
        return counts
    }

    /// Decodes one Opus tick into the participant's frame; a whole, cleanly decoded 20 ms packet
    /// may also be forwarded as it came (ConferenceRoom+Sending.swift). `arrival` is when the
    /// packet came (for the delay the room adds). Touches no leg: the room calls it too.
    static func decode(_ participant: RoomParticipant, _ output: JitterBufferOutput, with decoder: OpusTickDecoder, arrival: NIODeadline?) {
        let kind = participant.withDecodedFrame { frame in decoder.nextFrame(output, into: frame) }
        participant.tickInput = .decoded
        if case .frame(let payload, _, let samples) = output {
            participant.decodedArrival = arrival
            // A packet that failed to decode was concealed: that is no packet to pass on.
            if samples == OpusTickDecoder.samplesPerTick && kind == .audio { participant.forwardablePayload = payload }
        }
    }

    /// On the room's loop, after the decode phase: the loudest candidates are decoded, the others
    /// left for a later tick. Their legs' loops are done with them until the next tick.
    func decideCandidates() {
        decodeCandidates.removeAll(keepingCapacity: true)
        for participant in ordered {
            if case .candidate(let level) = participant.tickInput { decodeCandidates.append((participant, level)) }
        }
        guard !decodeCandidates.isEmpty else { return }
        if decodeCandidates.count > configuration.decodeCandidatesPerTick {
            // Loudest (lowest −dBov) first; ties in join order.
            decodeCandidates.sort { $0.level < $1.level }
        }
        for (rank, candidate) in decodeCandidates.enumerated() {
            let participant = candidate.participant
            guard let output = participant.heldOutput, case .opus(let decoder) = participant.decoder else { continue }
            participant.heldOutput = nil
            if rank < configuration.decodeCandidatesPerTick {
                Self.decode(participant, output, with: decoder, arrival: participant.heldArrival)
                statistics.decodedFrames += 1
            } else {
                decoder.skip(output)
                participant.tickInput = .level(candidate.level)
                statistics.skippedDecodes += 1
            }
        }
        decodeCandidates.removeAll(keepingCapacity: true)
    }

    /// Hands the mixer this tick's frames and levels.
    func feedMixer() {
        for participant in ordered {
            switch participant.tickInput {
            case .decoded:
                mixer.withInputFrame(for: participant.slot) { frame in
                    participant.decodedFrame.withUnsafeBufferPointer { _ = frame.update(fromContentsOf: $0) }
                }
            case .level(let level):
                mixer.setUndecodedInput(levelDBFS: -Float(level), for: participant.slot)
            case .none, .candidate:
                break
            }
        }
    }
}

extension RoomParticipant {
    /// Lends the participant's decode buffer (one tick, 960 samples), made on first use.
    func withDecodedFrame<Result>(_ body: (UnsafeMutableBufferPointer<Int16>) -> Result) -> Result {
        if decodedFrame.isEmpty { decodedFrame = [Int16](repeating: 0, count: OpusTickDecoder.samplesPerTick) }
        return decodedFrame.withUnsafeMutableBufferPointer { body($0) }
    }
}
