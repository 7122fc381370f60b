import ChorusCodecs
import ChorusMixer
import ChorusRTP
import Foundation
import Logging
import NIOCore

/// Identifies a participant across the SIP and media layers (unique per process).
public struct ParticipantID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "p\(rawValue)" }
}

/// What a room reports to the focus; called on the room's event loop.
public protocol ConferenceRoomDelegate: AnyObject, Sendable {
    /// A participant who should be sending sent no RTP or RTCP for the inactivity timeout.
    func room(_ room: ConferenceRoom, participantTimedOut participant: ParticipantID)
    /// A participant pressed a key (RFC 4733).
    func room(_ room: ConferenceRoom, participant: ParticipantID, pressed digit: Character, durationMs: Int)
}

/// One conference room's media: its participants' legs, the mixer and the clock that drives them.
///
/// Every 20 ms tick: each leg's jitter buffer gives one frame, which is decoded (Opus, or G.711
/// resampled to 48 kHz) into the mixer; the mixer makes the common mix and an N-1 mix per active
/// speaker; every listener who hears the common mix and shares an audio format gets the payload
/// of one encoder (encoded once per tick), and each speaker gets their own. Then every leg's
/// packets leave in one `sendmmsg`.
///
/// Who is mixed follows the negotiated directions: a participant is heard only while the call is
/// `sendrecv` (on hold, `sendonly` or `inactive` from their side, they are neither heard nor sent
/// anything), and hears the room whenever Chorus sends to them.
///
/// Participants can be kept out of the mix (``ParticipantAdmission``: PIN lobby, waiting for a
/// moderator) and hear a repeating cue instead, and prompt tones can be overlaid on what one or
/// everyone hears (``play(_:to:)``, ``playToAll(_:except:)``). Only those hearing a tone of their
/// own leave the shared encoders for it; a tone for everyone is encoded once per format.
///
/// Everything runs on ``eventLoop``; the methods must be called there.
public final class ConferenceRoom: @unchecked Sendable {
    /// Settings every room shares.
    public struct Configuration: Sendable {
        public var mixer: MixerConfiguration
        /// No RTP or RTCP for this long from a participant who should be sending ends their call.
        public var inactivityTimeout: TimeAmount
        public init(mixer: MixerConfiguration = MixerConfiguration(), inactivityTimeout: TimeAmount = .seconds(30)) {
            self.mixer = mixer
            self.inactivityTimeout = inactivityTimeout
        }
    }

    /// Room-wide counters, for logs, metrics and tests.
    public struct Statistics: Sendable, Equatable {
        /// Payloads encoded for listeners of the common mix, and for speakers' own mixes.
        public var sharedEncodes = 0
        public var individualEncodes = 0
        /// Frames decoded from participants (including concealed ones).
        public var decodedFrames = 0
    }

    public let id: String
    public let eventLoop: any EventLoop
    public let configuration: Configuration
    public weak var delegate: (any ConferenceRoomDelegate)?
    public private(set) var statistics = Statistics()
    let logger: Logger
    let mixer: ConferenceMixer
    private var clock: MixerClock?
    var participants: [ParticipantID: RoomParticipant] = [:]
    /// Iteration order of the tick: join order.
    var ordered: [RoomParticipant] = []
    /// Encoders whose payload every listener of one ``SharedStream`` gets.
    private var sharedEncoders: [SharedStream: FrameEncoder] = [:]
    private let silentFrame = [Int16](repeating: 0, count: 960)
    /// Where a listener's frame and the tones on it are put together before encoding.
    private var scratchFrame = [Int16](repeating: 0, count: 960)
    /// The tone ``playToAll(_:except:)`` overlays, while it plays.
    var roomCue: RoomCue?
    private var tickIndex = 0
    /// Set by tests and the benchmark to observe each tick's end.
    public var afterTick: ((Int) -> Void)?

    public init(id: String, eventLoop: any EventLoop, configuration: Configuration, logger: Logger) {
        self.id = id
        self.eventLoop = eventLoop
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "room"] = "\(id)"
        self.logger = logger
        self.mixer = ConferenceMixer(configuration: configuration.mixer)
    }

    public var participantCount: Int { ordered.count }
    public var participantIDs: [ParticipantID] { ordered.map(\.id) }

    /// Starts the room's clock. Call on ``eventLoop``.
    public func start() {
        eventLoop.preconditionInEventLoop()
        guard clock == nil else { return }
        let clock = MixerClock(eventLoop: eventLoop) { [weak self] index in self?.tick(index) }
        self.clock = clock
        clock.start()
    }

    /// Stops the clock. The legs stay open: close them (``remove(_:)`` hands each back).
    public func stop() {
        eventLoop.preconditionInEventLoop()
        clock?.stop()
        clock = nil
    }

    /// Lets a participant in with their open leg. Throws if their codec cannot be set up.
    ///
    /// With an `admission` other than `.mixed` they are kept out from their first tick on
    /// (see ``setAdmission(_:for:)``).
    public func add(
        _ participantID: ParticipantID, leg: MediaLeg, format: ParticipantAudioFormat, admission: ParticipantAdmission = .mixed
    ) throws {
        eventLoop.preconditionInEventLoop()
        precondition(leg.eventLoop === eventLoop, "a room's legs live on the room's loop")
        let participant = try RoomParticipant(id: participantID, leg: leg, format: format, slot: mixer.addParticipant())
        participant.room = self
        participant.admit(as: admission)
        mixer.setControls(participant.effectiveControls, for: participant.slot)
        leg.delegate = participant
        participants[participantID] = participant
        ordered.append(participant)
        logger.info("\(participantID) joined (\(format.codec.rawValue)); \(ordered.count) in the room")
    }

    /// Applies a renegotiated format (codec change); directions are read from the leg each tick.
    public func update(_ participantID: ParticipantID, format: ParticipantAudioFormat) throws {
        eventLoop.preconditionInEventLoop()
        guard let participant = participants[participantID], participant.format != format else { return }
        try participant.change(format: format)
        dropUnusedSharedEncoders()
    }

    /// Takes a participant out; returns their leg for the caller to close.
    @discardableResult
    public func remove(_ participantID: ParticipantID) -> MediaLeg? {
        eventLoop.preconditionInEventLoop()
        guard let participant = participants[participantID] else { return nil }
        // The call's reception quality, for the log, before the participant's state goes.
        let last = snapshot(of: participant)
        participants.removeValue(forKey: participantID)
        ordered.removeAll { $0 === participant }
        mixer.removeParticipant(participant.slot)
        participant.leg.delegate = nil
        dropUnusedSharedEncoders()
        let stats = qualitySummary(participant.leg.statistics, last)
        logger.info("\(participantID) left; \(ordered.count) in the room; \(stats)")
        return participant.leg
    }

    private func qualitySummary(_ statistics: MediaLegStatistics, _ snapshot: ParticipantSnapshot) -> String {
        func format(_ value: Double?, _ unit: String) -> String {
            guard let value, value.isFinite else { return "-" }
            return "\(Int(value.rounded()))\(unit)"
        }
        return "received \(statistics.rtpReceived) RTP, loss \(format(snapshot.lossPercent, " %")), jitter \(format(snapshot.jitterMs, " ms")), "
            + "RTT \(format(snapshot.roundTripMs, " ms")), dropped \(statistics.droppedMalformed + statistics.droppedAuthentication + statistics.droppedReplay + statistics.droppedPayloadType + statistics.droppedUnknownSource)"
    }

    /// Mute, deaf and gains (the room-management commands drive these). For a participant kept
    /// out of the mix they are remembered and take effect when they are admitted.
    public func setControls(_ controls: ParticipantControls, for participantID: ParticipantID) {
        eventLoop.preconditionInEventLoop()
        guard let participant = participants[participantID] else { return }
        participant.controls = controls
        mixer.setControls(participant.effectiveControls, for: participant.slot)
    }

    /// Who is being mixed right now, loudest first.
    public var activeSpeakers: [ParticipantID] {
        let bySlot = Dictionary(uniqueKeysWithValues: ordered.map { ($0.slot, $0.id) })
        return mixer.activeSpeakers.compactMap { bySlot[$0] }
    }

    /// The clock's tick counters and lateness (nil while stopped).
    public var clockStatistics: MixerClock.Statistics? { clock?.statistics }

    /// A participant's leg (for statistics), if present.
    public func leg(of participantID: ParticipantID) -> MediaLeg? { participants[participantID]?.leg }

    private func dropUnusedSharedEncoders() {
        let inUse = Set(ordered.map(\.format))
        sharedEncoders = sharedEncoders.filter { inUse.contains($0.key.format) }
    }

    // MARK: - The tick

    /// One 20 ms cycle: decode → mix → encode → send. Public so the benchmark can drive it.
    public func tick(_ index: Int) {
        tickIndex = index
        for participant in ordered {
            let leg = participant.leg
            leg.tick()
            guard leg.parameters.receives else { continue }
            let now = leg.nowMilliseconds
            if leg.parameters.sends {
                mixer.withInputFrame(for: participant.slot) { frame in
                    _ = participant.decoder.nextFrame(from: &leg.jitterBuffer, nowMilliseconds: now, into: frame)
                }
                statistics.decodedFrames += 1
            } else {
                // On hold (sendonly from their side): not mixed, but keep the buffer drained.
                participant.decoder.discardTick(from: &leg.jitterBuffer, nowMilliseconds: now)
            }
        }
        mixer.mix()
        // Everyone who hears the room's tone gets the same samples of it this tick.
        let tickCue = roomCue.map { $0.player }
        for participant in ordered where participant.leg.parameters.sends {
            send(to: participant, roomCue: participant.hears(roomCue) ? tickCue : nil)
        }
        if roomCue != nil {
            roomCue?.player.advance(by: silentFrame.count)
            if roomCue?.player.isFinished == true { roomCue = nil }
        }
        if index % 50 == 0 { checkInactivity() }
        afterTick?(index)
    }

    /// Encodes and sends what the participant hears this tick, with `roomCue` overlaid if given.
    private func send(to participant: RoomParticipant, roomCue: TonePlayer?) {
        let leg = participant.leg
        let output = mixer.output(for: participant.slot)
        if participant.hasOwnTone || (roomCue != nil && output == .individual) {
            sendWithTones(to: participant, roomCue: roomCue)
        } else {
            switch output {
            case .silence:
                // Deaf, or nothing to hear (a lone talker): still a steady stream, so phones that
                // watch for RTP do not hang up; encoded once per format like the common mix.
                sendShared(SharedStream(format: participant.format, source: .silence, withRoomCue: roomCue != nil), to: leg, roomCue: roomCue)
            case .shared:
                sendShared(SharedStream(format: participant.format, source: .mix, withRoomCue: roomCue != nil), to: leg, roomCue: roomCue)
            case .individual:
                let encoder = participant.ownEncoder
                mixer.withOutputFrame(for: participant.slot) { encoder.encode($0) }
                statistics.individualEncodes += 1
                encoder.forEachPacket { payload, samples in leg.send(payload: payload, samples: samples) }
            }
        }
        leg.flush()
    }

    /// Sends the payload of a stream many listeners share, encoding it on its first use this tick.
    private func sendShared(_ stream: SharedStream, to leg: MediaLeg, roomCue: TonePlayer?) {
        guard let encoder = encoder(for: stream) else { return }
        if encoder.encodedTick != tickIndex {
            encoder.encodedTick = tickIndex
            if var roomCue {
                scratchFrame.withUnsafeMutableBufferPointer { scratch in
                    switch stream.source {
                    case .silence: scratch.update(repeating: 0)
                    case .mix: mixer.withSharedMix { _ = scratch.update(fromContentsOf: $0) }
                    }
                    roomCue.mix(into: scratch)
                    encoder.encode(UnsafeBufferPointer(scratch))
                }
            } else {
                switch stream.source {
                case .silence: silentFrame.withUnsafeBufferPointer { encoder.encode($0) }
                case .mix: mixer.withSharedMix { encoder.encode($0) }
                }
            }
            if stream.source == .mix || roomCue != nil { statistics.sharedEncodes += 1 }
        }
        encoder.forEachPacket { payload, samples in leg.send(payload: payload, samples: samples) }
    }

    /// What the participant would hear, with the tones for them on top, through their own encoder.
    private func sendWithTones(to participant: RoomParticipant, roomCue: TonePlayer?) {
        let encoder = participant.ownEncoder
        scratchFrame.withUnsafeMutableBufferPointer { scratch in
            mixer.withOutputFrame(for: participant.slot) { _ = scratch.update(fromContentsOf: $0) }
            if var roomCue { roomCue.mix(into: scratch) }
            participant.mixOwnTones(into: scratch)
            encoder.encode(UnsafeBufferPointer(scratch))
        }
        statistics.individualEncodes += 1
        let leg = participant.leg
        encoder.forEachPacket { payload, samples in leg.send(payload: payload, samples: samples) }
    }

    private func encoder(for stream: SharedStream) -> FrameEncoder? {
        if let encoder = sharedEncoders[stream] { return encoder }
        guard let encoder = try? FrameEncoder(format: stream.format) else {
            logger.error("cannot create an encoder for \(stream.format)")
            return nil
        }
        sharedEncoders[stream] = encoder
        return encoder
    }

    private func checkInactivity() {
        let now = eventLoop.now
        for participant in ordered {
            let leg = participant.leg
            // Only a call that should be sending to Chorus can be silent for too long.
            guard leg.parameters.receives, leg.parameters.sends,
                now - leg.lastActivity > configuration.inactivityTimeout, !participant.timedOut
            else { continue }
            participant.timedOut = true
            logger.info("\(participant.id): no media for \(configuration.inactivityTimeout.nanoseconds / 1_000_000_000) s")
            delegate?.room(self, participantTimedOut: participant.id)
        }
    }

    fileprivate func participant(_ participant: RoomParticipant, pressed digit: Character, durationMs: Int) {
        logger.debug("\(participant.id) pressed \(digit) (\(durationMs) ms)")
        delegate?.room(self, participant: participant.id, pressed: digit, durationMs: durationMs)
    }
}

/// What one shared encoder encodes: every listener with the same format who hears the same
/// frame (the common mix or silence, with or without the room's tone) gets its payload.
private struct SharedStream: Hashable {
    enum Source: Hashable { case silence, mix }
    var format: ParticipantAudioFormat
    var source: Source
    var withRoomCue: Bool
}

/// A tone ``ConferenceRoom/playToAll(_:except:)`` plays to everyone mixed but one.
struct RoomCue {
    var player: TonePlayer
    var except: ParticipantID?
}

/// A participant inside the room: leg, mixer slot, decoder and own encoder.
final class RoomParticipant: MediaLegDelegate {
    let id: ParticipantID
    let leg: MediaLeg
    let slot: MixerSlot
    let joinedAt = Date()
    /// The controls as set from outside; the mixer gets ``effectiveControls``.
    var controls = ParticipantControls()
    private(set) var admission = ParticipantAdmission.mixed
    /// The repeating cue of the lobby or the waiting room.
    private var prompt: TonePlayer?
    /// A one-shot tone for this participant only; a new one replaces it.
    var cue: TonePlayer?
    private(set) var format: ParticipantAudioFormat
    private(set) var decoder: ParticipantDecoder
    private var _ownEncoder: FrameEncoder?
    weak var room: ConferenceRoom?
    var timedOut = false

    init(id: ParticipantID, leg: MediaLeg, format: ParticipantAudioFormat, slot: MixerSlot) throws {
        self.id = id
        self.leg = leg
        self.format = format
        self.slot = slot
        self.decoder = try ParticipantDecoder(codec: format.codec)
    }

    /// The encoder of this participant's own N-1 mix, made when first needed (most never speak).
    var ownEncoder: FrameEncoder {
        if let encoder = _ownEncoder { return encoder }
        // The format was already encodable when the participant joined.
        let encoder = try! FrameEncoder(format: format)
        _ownEncoder = encoder
        return encoder
    }

    /// Kept out of the mix, they are muted and deaf whatever their own controls say.
    var effectiveControls: ParticipantControls {
        guard admission != .mixed else { return controls }
        var controls = controls
        controls.muted = true
        controls.deaf = true
        return controls
    }

    var hasOwnTone: Bool { prompt != nil || cue != nil }

    func admit(as admission: ParticipantAdmission) {
        self.admission = admission
        prompt = admission.repeatingPrompt.map { TonePlayer($0, repeats: true) }
    }

    /// Whether the room's tone is for them: mixed, not deaf, and not the one it is about.
    func hears(_ roomCue: RoomCue?) -> Bool {
        guard let roomCue else { return false }
        return admission == .mixed && !controls.deaf && roomCue.except != id
    }

    /// Adds this tick of their prompt and cue to `frame`; a finished cue is dropped.
    func mixOwnTones(into frame: UnsafeMutableBufferPointer<Int16>) {
        prompt?.mix(into: frame)
        if cue?.mix(into: frame) == true { cue = nil }
    }

    func change(format: ParticipantAudioFormat) throws {
        if format.codec != self.format.codec { decoder = try ParticipantDecoder(codec: format.codec) }
        _ownEncoder = nil
        self.format = format
    }

    func mediaLeg(_ leg: MediaLeg, didReceiveDigit digit: Character, durationMs: Int) {
        room?.participant(self, pressed: digit, durationMs: durationMs)
    }
}

/// The decoder for a participant's codec.
enum ParticipantDecoder {
    case opus(OpusTickDecoder)
    case g711(G711TickDecoder)

    init(codec: ParticipantAudioFormat.Codec) throws {
        switch codec {
        case .opus: self = .opus(try OpusTickDecoder())
        case .pcmu: self = .g711(try G711TickDecoder(law: .muLaw))
        case .pcma: self = .g711(try G711TickDecoder(law: .aLaw))
        }
    }

    func nextFrame(from jitterBuffer: inout JitterBuffer, nowMilliseconds: Int64, into frame: UnsafeMutableBufferPointer<Int16>) -> TickFrameKind {
        switch self {
        case .opus(let decoder):
            decoder.nextFrame(jitterBuffer.pull(now: nowMilliseconds), into: frame)
        case .g711(let decoder):
            decoder.nextFrame(from: &jitterBuffer, nowMilliseconds: nowMilliseconds, into: frame)
        }
    }

    /// Consumes one tick without decoding.
    func discardTick(from jitterBuffer: inout JitterBuffer, nowMilliseconds: Int64) {
        switch self {
        case .opus:
            _ = jitterBuffer.pull(now: nowMilliseconds)
        case .g711:
            _ = jitterBuffer.pull(now: nowMilliseconds - 10)
            _ = jitterBuffer.pull(now: nowMilliseconds)
        }
    }
}
