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
    /// Who is talking changed (reported at most every 500 ms, and only after ``ConferenceRoom/reportTalkers(_:)``).
    func room(_ room: ConferenceRoom, talkersChanged talkers: Set<ParticipantID>)
    /// The recording into `file` could not go on (``RoomRecorder``) and has stopped.
    func room(_ room: ConferenceRoom, recordingFailed file: URL, reason: String)
}

extension ConferenceRoomDelegate {
    public func room(_ room: ConferenceRoom, talkersChanged talkers: Set<ParticipantID>) {}
    public func room(_ room: ConferenceRoom, recordingFailed file: URL, reason: String) {}
}

/// One conference room's media: its participants' legs, the mixer and the clock that drives them.
///
/// Every 20 ms tick: each leg's jitter buffer gives one frame, which is decoded (Opus, or G.711
/// resampled to 48 kHz) into the mixer, or left undecoded when its level shows it cannot be mixed;
/// the mixer makes the common mix and an N-1 mix per active speaker; every listener who hears the
/// common mix and shares an audio format gets the payload of one encoder (encoded once per tick),
/// and each speaker gets their own. Then every leg's packets leave.
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
/// **Threads.** The room, its mixer and its encoders live on ``eventLoop``; its methods must be
/// called there. A participant's media leg may live on another loop (a large room spreads its
/// legs over every core): each tick then runs in three phases. Each loop pulls and decodes the
/// frames of its own legs (ConferenceRoom+Decoding.swift); when every loop is done, the room mixes
/// and encodes; then each loop sends its own legs' packets (ConferenceRoom+Sending.swift). A leg is
/// only ever touched on its own loop, and nothing crosses between loops per packet: two hand-offs
/// per loop per tick.
public final class ConferenceRoom: @unchecked Sendable {
    /// Settings every room shares.
    public struct Configuration: Sendable {
        public var mixer: MixerConfiguration
        /// No RTP or RTCP for this long from a participant who should be sending ends their call.
        public var inactivityTimeout: TimeAmount
        /// Participants who are not being mixed but whose reported level (RFC 6464) could make them
        /// a talker: at most this many, the loudest, are decoded per tick. The rest are left
        /// undecoded until a later tick; their levels still drive talk detection.
        public var decodeCandidatesPerTick: Int
        /// How often the room logs a media report (ticks, lateness, decodes, encodes, added
        /// delay); nil: never.
        public var reportInterval: TimeAmount?
        /// With two talkers, each is sent the other's packets as they came rather than a mix
        /// encoded for them (see ConferenceRoom+Sending.swift).
        public var forwardsTwoTalkers: Bool
        /// The room moves its ticks earlier while its talkers' packets allow (``TickPhaseAligner``).
        public var alignsTicksToTalkers: Bool
        public init(
            mixer: MixerConfiguration = MixerConfiguration(), inactivityTimeout: TimeAmount = .seconds(30), decodeCandidatesPerTick: Int = 4,
            reportInterval: TimeAmount? = nil, forwardsTwoTalkers: Bool = true, alignsTicksToTalkers: Bool = true
        ) {
            self.alignsTicksToTalkers = alignsTicksToTalkers
            self.mixer = mixer
            self.inactivityTimeout = inactivityTimeout
            self.decodeCandidatesPerTick = max(1, decodeCandidatesPerTick)
            self.reportInterval = reportInterval
            self.forwardsTwoTalkers = forwardsTwoTalkers
        }
    }

    /// Room-wide counters, for logs, metrics and tests.
    public struct Statistics: Sendable, Equatable {
        /// Payloads encoded for listeners of the common mix, and for speakers' own mixes.
        public var sharedEncodes = 0
        public var individualEncodes = 0
        /// Frames of silence this room encoded for everyone on its loop with nothing to hear
        /// (other rooms on the loop send the same packets, see SilenceStreams).
        public var silenceEncodes = 0
        /// Frames decoded from participants (including concealed ones).
        public var decodedFrames = 0
        /// Packets left undecoded because their level (RFC 6464) showed they could not reach the mix.
        public var skippedDecodes = 0
        /// Listeners of a shared stream who got a stream of their own (they started talking, a
        /// tone for them alone, a gain): their own encoder took over the shared one's state.
        public var streamContinuations = 0
        /// Packets sent as another participant sent them (a talker who hears only one other).
        public var forwardedPackets = 0
        /// Ticks that were due while the last one still waited for a loop to decode its legs
        /// (an overloaded machine): not run.
        public var overruns = 0
    }

    public let id: String
    public let eventLoop: any EventLoop
    public let configuration: Configuration
    public weak var delegate: (any ConferenceRoomDelegate)?
    public internal(set) var statistics = Statistics()
    /// The delay the room adds to a talker's audio: from their packet's arrival to the end of the
    /// tick that sent the mix carrying it, in 1 ms buckets (Opus legs).
    public internal(set) var addedDelay = LatenessHistogram(bucketWidthNanoseconds: 1_000_000, buckets: 1001)
    /// What the last media report counted from.
    var lastReport: ReportBaseline?
    let logger: Logger
    let mixer: ConferenceMixer
    private var clock: MixerClock?
    private var phaseAligner = TickPhaseAligner()
    var participants: [ParticipantID: RoomParticipant] = [:]
    /// Iteration order of the tick: join order.
    var ordered: [RoomParticipant] = []
    /// Who holds each mixer slot, by slot index.
    var participantsBySlot: [Int: RoomParticipant] = [:]
    /// The participants grouped by the loop their leg lives on.
    var shards: [LegShard] = []
    /// Loops whose decode phase of the current tick has not reported back yet; nil between ticks.
    var shardsDecoding: Int?
    /// Encoders whose payload every listener of one ``SharedStream`` gets.
    var sharedEncoders: [SharedStream: FrameEncoder] = [:]
    let silentFrame = [Int16](repeating: 0, count: 960)
    /// Where a listener's frame and the tones on it are put together before encoding.
    var scratchFrame = [Int16](repeating: 0, count: 960)
    /// The tone ``playToAll(_:except:)`` overlays, while it plays.
    var roomCue: RoomCue?
    var tickIndex = 0
    /// This tick's participants who may start talking, with their reported levels.
    var decodeCandidates: [(participant: RoomParticipant, level: UInt8)] = []
    /// The SSRCs of the streams mixed this tick, for the CSRC lists of what is sent (RFC 3550 §6.1).
    var mixedSources: [UInt32] = []
    /// Set by tests and the benchmark to observe each tick's end.
    public var afterTick: ((Int) -> Void)?
    /// Records the mix while set (ConferenceRoom+Recording.swift).
    var recorder: RoomRecorder?
    /// Reports talking changes while set (ConferenceRoom+Roster.swift).
    var talkerReport: TalkerReport?

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
        let participant = try RoomParticipant(id: participantID, leg: leg, format: format, slot: mixer.addParticipant())
        participant.room = self
        participant.admit(as: admission)
        mixer.setControls(participant.effectiveControls, for: participant.slot)
        participants[participantID] = participant
        participantsBySlot[participant.slot.index] = participant
        ordered.append(participant)
        shard(for: leg.eventLoop).members.append(participant)
        leg.eventLoop.runHereOrEnqueue { leg.delegate = participant }
        // On the room's loop the status is read at once; on another it comes with the first tick.
        if leg.eventLoop === eventLoop { participant.legStatus = LegStatus(leg) }
        logger.info("\(participantID) joined (\(format.codec.rawValue)); \(ordered.count) in the room")
    }

    /// The shard of the legs on `loop`, made when its first leg joins.
    private func shard(for loop: any EventLoop) -> LegShard {
        if let shard = shards.first(where: { $0.loop === loop }) { return shard }
        let shard = LegShard(loop: loop)
        // The room's own loop goes last, so the other loops start first.
        if loop === eventLoop { shards.append(shard) } else { shards.insert(shard, at: 0) }
        return shard
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
        participantsBySlot.removeValue(forKey: participant.slot.index)
        ordered.removeAll { $0 === participant }
        for shard in shards { shard.members.removeAll { $0 === participant } }
        shards.removeAll { $0.members.isEmpty }
        mixer.removeParticipant(participant.slot)
        let leg = participant.leg
        leg.eventLoop.runHereOrEnqueue { leg.delegate = nil }
        dropUnusedSharedEncoders()
        let stats = qualitySummary(participant.legStatus.statistics, last)
        logger.info("\(participantID) left; \(ordered.count) in the room; \(stats)")
        return leg
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

    private func dropUnusedSharedEncoders() {
        let inUse = Set(ordered.map(\.format))
        sharedEncoders = sharedEncoders.filter { inUse.contains($0.key.format) }
    }

    // MARK: - The tick

    /// One 20 ms cycle: decode → mix → encode → send. Public so the benchmark can drive it.
    ///
    /// The decode phase runs on every loop that holds legs of the room; the rest of the tick
    /// (``finishTick()``) runs once they have all reported back.
    public func tick(_ index: Int) {
        guard shardsDecoding == nil else {
            statistics.overruns += 1
            return
        }
        tickIndex = index
        let settings = decodePhaseSettings(index, due: clock?.dueTime(ofTick: index) ?? eventLoop.now)
        var remote = 0
        for shard in shards where shard.loop !== eventLoop {
            remote += 1
            let members = shard.members
            shard.loop.execute { [self] in
                let counts = Self.decodePhase(members, settings)
                eventLoop.execute { [self] in shardDecoded(counts, tick: index) }
            }
        }
        shardsDecoding = remote
        if let local = shards.last, local.loop === eventLoop {
            statistics.add(Self.decodePhase(local.members, settings))
        }
        if remote == 0 { finishTick() }
    }

    private func shardDecoded(_ counts: DecodeCounts, tick index: Int) {
        guard index == tickIndex, let waiting = shardsDecoding else { return }
        statistics.add(counts)
        shardsDecoding = waiting - 1
        if waiting == 1 { finishTick() }
    }

    /// The room's part of the tick, once every leg's frame is in: mix, encode, send.
    private func finishTick() {
        shardsDecoding = nil
        let index = tickIndex
        decideCandidates()
        feedMixer()
        mixer.mix()
        if configuration.alignsTicksToTalkers { alignTickPhase() }
        afterMix(index)
        sendOutputs()
        measureAddedDelay()
        if index % Self.inactivityCheckTicks == 0 { reportInactivity() }
        reportIfDue()
        afterTick?(index)
    }

    /// Moves the next ticks earlier while every mixed talker's packet was due early enough
    /// (``TickPhaseAligner``); a talker whose spare is unknown holds the clock where it is.
    private func alignTickPhase() {
        guard let clock else { return }
        var smallest: Int?
        for slot in mixer.activeSpeakers {
            guard let spare = participantsBySlot[slot.index]?.playoutSpareMs else {
                smallest = nil
                break
            }
            smallest = min(smallest ?? spare, spare)
        }
        let step = phaseAligner.observe(smallestSpareMs: smallest)
        if step > 0 { clock.advance(by: .milliseconds(Int64(step))) }
    }

    /// Ticks between two inactivity checks (one second).
    static let inactivityCheckTicks = 50

    /// Tells the delegate of participants the last inactivity check found silent for too long.
    private func reportInactivity() {
        for participant in ordered where participant.inactive && !participant.timedOut {
            participant.timedOut = true
            logger.info("\(participant.id): no media for \(configuration.inactivityTimeout.nanoseconds / 1_000_000_000) s")
            delegate?.room(self, participantTimedOut: participant.id)
        }
    }

    fileprivate func participant(_ participant: RoomParticipant, pressed digit: Character, durationMs: Int) {
        guard participants[participant.id] === participant else { return }
        logger.debug("\(participant.id) pressed \(digit) (\(durationMs) ms)")
        delegate?.room(self, participant: participant.id, pressed: digit, durationMs: durationMs)
    }
}

/// A tone ``ConferenceRoom/playToAll(_:except:)`` plays to everyone mixed but one.
struct RoomCue {
    var player: TonePlayer
    var except: ParticipantID?
}

/// A participant inside the room: leg, mixer slot, decoder and own encoder.
final class RoomParticipant: MediaLegDelegate, @unchecked Sendable {
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

    // The tick's exchange with the leg's loop. The room writes the first group before the decode
    // phase and the plan after it; the decode phase writes the rest, on the leg's loop. They are
    // never touched by both at once: the hand-offs between the phases order them.

    /// Whether they were mixed on the last tick, and are muted (or kept out) this one.
    var mixedLastTick = false
    var mutedThisTick = false
    /// What the decode phase found.
    var tickInput = TickInput.none
    /// Their decoded frame, when ``tickInput`` is `.decoded` (960 samples once used).
    var decodedFrame: [Int16] = []
    /// The jitter-buffer output of a candidate while the room decides whether to decode it, and
    /// when its packet arrived.
    var heldOutput: JitterBufferOutput?
    var heldArrival: NIODeadline?
    /// How long before the pull this tick's packet was due, if a packet was played (Opus legs;
    /// see ``ChorusRTP/JitterBuffer/playedSpareMs``).
    var playoutSpareMs: Int?
    /// When the packet decoded this tick arrived, if it was a packet.
    var decodedArrival: NIODeadline?
    /// The leg's directions and the SSRC of their stream, as of this tick.
    var legSends = false
    var legReceives = false
    var remoteSSRC: UInt32?
    /// Whether the last inactivity check found them silent for too long.
    var inactive = false
    /// The leg's counters and reception quality, as of the last tick (for snapshots and logs).
    var legStatus = LegStatus()
    /// What the send phase sends them this tick.
    var outgoing: [OutgoingPacket] = []
    var outgoingExcludes: UInt32?
    /// This tick's packet, when it was a whole 20 ms Opus frame: what a talker who hears only
    /// this participant can be sent as it came (see ConferenceRoom+Sending.swift).
    var forwardablePayload: [UInt8]?
    /// Whose packets this participant is sent this tick instead of a mix, if anyone's.
    var forwardSource: RoomParticipant?
    /// Whose packets they were sent on ``lastSentTick``, if they were forwarded.
    weak var lastForwardSource: RoomParticipant?
    /// The last tick they were sent the loop's shared silence (``SilenceStreams``).
    var heardSilenceTick = Int.min
    /// This participant's decoded audio on the last tick their packets were forwarded, and that
    /// tick: what an encoder taking over from the forwarded stream is primed with.
    var forwardedFrame: [Int16] = []
    var forwardedFrameTick = Int.min
    /// The encoder whose packets they were sent on the last tick they were sent anything, and that tick.
    var lastEncoder: FrameEncoder?
    var lastSentTick = Int.min

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

    /// On the leg's loop; the room hears of it on its own.
    func mediaLeg(_ leg: MediaLeg, didReceiveDigit digit: Character, durationMs: Int) {
        guard let room else { return }
        room.eventLoop.runHereOrEnqueue { room.participant(self, pressed: digit, durationMs: durationMs) }
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

    /// Consumes one tick without decoding (a participant on hold).
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
