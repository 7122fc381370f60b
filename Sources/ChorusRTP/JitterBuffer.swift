/// Settings of a ``JitterBuffer``.
public struct JitterBufferConfiguration: Hashable, Sendable {
    /// RTP clock rate of the payload (48000 for Opus, 8000 for G.711).
    public var clockRate: Int
    /// Samples (in `clockRate`) the consumer plays per ``JitterBuffer/pull(now:)``: 20 ms by
    /// default. Must not exceed the shortest packet duration; for 10 ms packets pull every 10 ms
    /// (or twice per 20 ms mixer tick) with a 10 ms tick.
    public var samplesPerTick: Int
    /// Smallest target delay beyond the fastest packet's transit: absorbs tick phase.
    public var minDelayMs: Int
    /// Largest target delay, and the most audio the buffer holds before dropping the oldest.
    public var maxDelayMs: Int
    /// Most packets held (rounded up to a power of two).
    public var maxPackets: Int
    /// Length of the blocks the transit minimum and the jitter peak are kept in.
    public var blockMs: Int
    /// Blocks the minimum transit time is taken over (tracks sender clock drift).
    public var transitBlocks: Int
    /// Blocks the jitter peak is remembered over: how slowly the target shrinks back.
    public var peakBlocks: Int
    /// Consecutive ticks the buffer must stay 1.5 ticks above target before one frame is
    /// dropped (shrinking is slow; growing is immediate).
    public var shrinkHoldTicks: Int
    /// The same hold while the buffer is at least ``fastShrinkExcessTicks`` above target: a
    /// burst of late packets (a stalled network queue) leaves that much audio behind once its
    /// jitter peak is forgotten, and at one frame per ``shrinkHoldTicks`` it would take
    /// seconds per 100 ms to play out.
    public var fastShrinkHoldTicks: Int
    /// How far above target (in ticks) the buffer shrinks at the fast rate.
    public var fastShrinkExcessTicks: Int
    /// A packet whose transit differs from the minimum by more than this is a timestamp jump:
    /// the buffer resynchronises on it instead of waiting for (or discarding) it.
    public var resyncThresholdMs: Int
    /// The longest packet duration believed when inferring durations from timestamps.
    public var maxPacketMs: Int

    public init(
        clockRate: Int = 48_000, samplesPerTick: Int? = nil, minDelayMs: Int = 20, maxDelayMs: Int = 400,
        maxPackets: Int = 64, blockMs: Int = 1000, transitBlocks: Int = 3, peakBlocks: Int = 10,
        shrinkHoldTicks: Int = 50, fastShrinkHoldTicks: Int = 10, fastShrinkExcessTicks: Int = 3,
        resyncThresholdMs: Int = 1500, maxPacketMs: Int = 120
    ) {
        self.clockRate = clockRate
        self.samplesPerTick = samplesPerTick ?? clockRate / 50
        self.minDelayMs = minDelayMs
        self.maxDelayMs = maxDelayMs
        self.maxPackets = maxPackets
        self.blockMs = blockMs
        self.transitBlocks = transitBlocks
        self.peakBlocks = peakBlocks
        self.shrinkHoldTicks = shrinkHoldTicks
        self.fastShrinkHoldTicks = fastShrinkHoldTicks
        self.fastShrinkExcessTicks = fastShrinkExcessTicks
        self.resyncThresholdMs = resyncThresholdMs
        self.maxPacketMs = maxPacketMs
    }
}

/// What the consumer plays for one tick.
public enum JitterBufferOutput: Hashable, Sendable {
    /// Decode this packet. It spans `samples`; when longer than a tick, the following ticks
    /// answer ``covered`` until its audio is used up.
    case frame(payload: [UInt8], timestamp: UInt32, samples: Int)
    /// This tick is part of the previous frame's audio (a 40/60 ms packet): play on.
    case covered
    /// Audio for this tick is missing: conceal it. `next` is the following packet's payload
    /// when it directly follows the missing audio, so Opus in-band FEC can rebuild it;
    /// otherwise use PLC. Also used to stretch playout by one tick (see counters).
    case lost(next: [UInt8]?)
    /// No audio is expected: not started, or a DTX/talkspurt gap. Play silence or comfort noise.
    case silence
}

/// Counters for logs and metrics.
public struct JitterBufferStatistics: Hashable, Sendable {
    /// Packets accepted into the buffer.
    public var received: UInt64 = 0
    /// Packets that arrived after their playout time (dropped).
    public var late: UInt64 = 0
    /// Sequence numbers never played because they never arrived in time.
    public var lost: UInt64 = 0
    /// Packets already in the buffer (dropped).
    public var duplicates: UInt64 = 0
    /// Packets dropped because the buffer was full (``JitterBufferConfiguration/maxPackets``
    /// or ``JitterBufferConfiguration/maxDelayMs``).
    public var overflows: UInt64 = 0
    /// Ticks answered ``JitterBufferOutput/lost(next:)`` because audio was missing.
    public var concealed: UInt64 = 0
    /// Frames dropped to shrink the delay (too much buffered, or a sender running fast).
    public var framesDropped: UInt64 = 0
    /// Ticks inserted (answered `.lost(next: nil)`) to grow the delay (jitter rose, or a
    /// sender running slow).
    public var framesStretched: UInt64 = 0
    /// Timestamp or sequence jumps the buffer resynchronised on.
    public var resyncs: UInt64 = 0
    /// Rises in the stream's delay that ran the buffer dry and were taken up by moving playout
    /// back to the next packet (instead of dropping it as late).
    public var delaySteps: UInt64 = 0
    /// SSRC changes (each resets the buffer).
    public var ssrcChanges: UInt64 = 0

    /// Drops plus stretches: how often playout was adjusted to the target.
    public var driftAdjustments: UInt64 { framesDropped + framesStretched }
}

/// An adaptive jitter buffer for one participant's audio.
///
/// **Timing model.** For every packet the buffer computes its transit `d = arrival − timestamp`
/// (in timestamp units). The minimum of `d` over the last few seconds is the fastest path
/// through the network (it follows a drifting sender clock); `d − min` is that packet's
/// jitter. The target delay is `minDelay + peak jitter` over the last ``peakBlocks`` seconds,
/// clamped to `minDelay…maxDelay`: repeated spikes raise it at once, and it falls back when
/// they leave the window. The peak of each block is its second-highest jitter, so a single
/// outlier per block (a straggler, a duplicate resent much later) does not move the target. The ideal playout timestamp at `now` is then
/// `now − minTransit − target`: a packet is due when the ideal reaches its timestamp.
///
/// **Playout.** A talkspurt (the first packet, or a packet after a timestamp gap that its
/// marker bit or its contiguous sequence number explains as DTX) starts exactly when it is
/// due, so every talkspurt begins at the target delay. Within a talkspurt playout follows the
/// timestamps tick by tick; when it drifts half a tick ahead of the ideal (target grew,
/// sender slow) one tick is stretched, and when it stays 1.5 ticks behind for
/// ``shrinkHoldTicks`` (target shrank, sender fast) one frame is dropped; from
/// ``JitterBufferConfiguration/fastShrinkExcessTicks`` behind, one every
/// ``JitterBufferConfiguration/fastShrinkHoldTicks``.
///
/// **Loss versus DTX.** A gap before the next buffered packet is loss when sequence numbers
/// are missing and the packet carries no marker: those ticks (at most the missing packets'
/// duration) answer `.lost`, the one just before the packet with its payload for FEC. A gap
/// with contiguous sequence numbers, or an empty buffer, is silence.
///
/// Time is milliseconds on any monotonic clock, passed in. No allocation in steady state:
/// payloads are copied into per-slot arrays that keep their capacity.
public struct JitterBuffer: Sendable {
    public let configuration: JitterBufferConfiguration
    public private(set) var statistics = JitterBufferStatistics()
    /// The SSRC being buffered.
    public private(set) var ssrc: UInt32?
    /// The RFC 6464 level the sender attached to the packet the last ``pull(now:)`` returned as
    /// ``JitterBufferOutput/frame(payload:timestamp:samples:)``: what the mixer may read instead
    /// of decoding it. Nil when the packet carried none.
    public private(set) var playedAudioLevel: RTPAudioLevel?
    /// When that packet arrived (milliseconds, the clock of ``insert``): for measuring the delay
    /// from arrival to the mix.
    public private(set) var playedArrivalMs: Int64 = 0
    /// How long before the pull that packet was due (milliseconds): the ideal playout point
    /// minus its timestamp. A talkspurt starts on the first tick at or after the due time, so
    /// this is the part of the wait that the tick's phase added, 0 to one tick, beyond the
    /// target delay (more when playout has fallen whole frames behind); the room moves its
    /// ticks earlier while its talkers' spare allows.
    /// Negative when playout runs ahead of the ideal (the target just grew).
    public private(set) var playedSpareMs = 0

    private struct Slot: Sendable {
        var sequence: Int64 = JitterBuffer.empty
        var timestamp: Int64 = 0
        var samples: Int = 0
        var marker = false
        var audioLevel: RTPAudioLevel?
        var arrivalMs: Int64 = 0
        var payload: [UInt8] = []
    }

    private static let empty = Int64.min

    private var slots: [Slot]
    private let mask: Int
    private var count = 0
    private let tick: Int64

    // Unwrapping: the highest sequence seen and its timestamp.
    private var hasStream = false
    private var highestSequence: UInt16 = 0
    private var highestExtendedSequence: Int64 = 0
    private var highestTimestamp: UInt32 = 0
    private var highestExtendedTimestamp: Int64 = 0
    private var packetSamples: Int64

    // Playout.
    private var started = false
    private var playoutTimestamp: Int64 = 0
    private var nextSequence: Int64 = 0
    private var lastPlayedEnd: Int64 = 0
    private var coverRemaining = 0
    private var excessTicks = 0
    private var ticksSinceStretch = Int.max / 2
    /// The ideal playout timestamp of the current pull.
    private var pullIdeal: Int64 = 0

    // Timing estimators, per block of `blockMs`.
    private var transitMinima: [Int64]
    /// Per block: the highest and second-highest jitter. The target follows the second
    /// highest, so one outlier per block (≈ the 98th percentile at 50 packets/s) is ignored.
    private var jitterPeaks: [Int64]
    private var jitterSeconds: [Int64]
    private var blockIndex = 0
    private var blockStartMs: Int64 = 0
    private var minimumTransit: Int64 = 0
    private var peakJitter: Int64 = 0
    private var target: Int64

    public init(configuration: JitterBufferConfiguration = JitterBufferConfiguration()) {
        precondition(configuration.clockRate > 0 && configuration.samplesPerTick > 0)
        precondition(configuration.minDelayMs >= 0 && configuration.maxDelayMs >= configuration.minDelayMs)
        self.configuration = configuration
        var capacity = 4
        while capacity < configuration.maxPackets { capacity <<= 1 }
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
        tick = Int64(configuration.samplesPerTick)
        packetSamples = Int64(configuration.samplesPerTick)
        transitMinima = Array(repeating: Int64.max, count: max(1, configuration.transitBlocks))
        jitterPeaks = Array(repeating: 0, count: max(1, configuration.peakBlocks))
        jitterSeconds = jitterPeaks
        target = 0
        target = toSamples(ms: configuration.minDelayMs)
    }

    // MARK: Reporting

    /// The current target delay in milliseconds (beyond the fastest packet's transit).
    public var targetDelayMs: Int { Int(target * 1000 / Int64(configuration.clockRate)) }
    /// The jitter peak the target is based on, in milliseconds.
    public var jitterPeakMs: Int { Int(peakJitter * 1000 / Int64(configuration.clockRate)) }
    /// Packets in the buffer.
    public var packetCount: Int { count }
    /// Audio buffered ahead of the playout point, in milliseconds.
    public var bufferedMs: Int {
        guard count > 0, let head = headIndex() else { return 0 }
        let start = started ? max(playoutTimestamp, slots[head].timestamp) : slots[head].timestamp
        let end = highestExtendedTimestamp + packetSamples
        return Int(max(0, end - start) * 1000 / Int64(configuration.clockRate))
    }

    // MARK: Input

    /// What ``insert(sequenceNumber:timestamp:ssrc:marker:payload:arrivalMs:samples:)`` did.
    public enum InsertResult: Hashable, Sendable {
        case buffered
        case duplicate
        /// Its playout time has passed.
        case late
    }

    /// Adds a received packet.
    ///
    /// - Parameters:
    ///   - samples: the packet's duration if known (e.g. from the Opus TOC); otherwise it is
    ///     inferred from the timestamps of neighbouring packets.
    ///   - audioLevel: the sender's RFC 6464 level of this packet, handed back with it on playout.
    @discardableResult
    public mutating func insert(
        sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool,
        payload: UnsafeRawBufferPointer, arrivalMs: Int64, samples: Int? = nil, audioLevel: RTPAudioLevel? = nil
    ) -> InsertResult {
        let samples = samples.map { min(max($0, 0), Int(toSamples(ms: configuration.maxPacketMs))) }
        if let current = self.ssrc, current != ssrc {
            statistics.ssrcChanges += 1
            resetStream()
        }
        self.ssrc = ssrc
        if !hasStream { beginStream(sequenceNumber: sequenceNumber, timestamp: timestamp) }

        let sequenceDelta = Int64(Int16(bitPattern: sequenceNumber &- highestSequence))
        var sequence = highestExtendedSequence + sequenceDelta
        var extendedTimestamp = highestExtendedTimestamp + Int64(Int32(bitPattern: timestamp &- highestTimestamp))
        let arrival = arrivalMs * Int64(configuration.clockRate) / 1000
        var transit = arrival - extendedTimestamp
        let threshold = toSamples(ms: configuration.resyncThresholdMs)
        let timestampJump = timingStarted && abs(transit - minimumTransit) > threshold

        if sequence < nextSequence, nextSequence - sequence < 1000 {
            // Already played or skipped; its lateness still tells how much delay is needed.
            if !timestampJump { updateTiming(transit: transit, arrivalMs: arrivalMs) }
            statistics.late += 1
            return .late
        }
        if abs(sequenceDelta) >= 1000 || sequence < nextSequence || timestampJump {
            // A restarted sequence or a timestamp discontinuity: start over on this packet.
            statistics.resyncs += 1
            resetStream()
            beginStream(sequenceNumber: sequenceNumber, timestamp: timestamp)
            sequence = highestExtendedSequence
            extendedTimestamp = highestExtendedTimestamp
            transit = arrival - extendedTimestamp
        }

        let index = Int(truncatingIfNeeded: sequence) & mask
        if slots[index].sequence == sequence {
            statistics.duplicates += 1
            return .duplicate
        }
        // Make room: the ring holds sequences nextSequence ..< nextSequence + capacity.
        while sequence - nextSequence > Int64(mask) || count >= configuration.maxPackets {
            dropOldest(upTo: sequence)
        }

        if sequence > highestExtendedSequence {
            if sequence == highestExtendedSequence + 1 {
                let step = extendedTimestamp - highestExtendedTimestamp
                if step > 0, step <= toSamples(ms: configuration.maxPacketMs) { packetSamples = step }
            }
            highestExtendedSequence = sequence
            highestSequence = sequenceNumber
            highestExtendedTimestamp = extendedTimestamp
            highestTimestamp = timestamp
        }
        if let samples, samples > 0, sequence == highestExtendedSequence { packetSamples = Int64(samples) }

        slots[index].sequence = sequence
        slots[index].timestamp = extendedTimestamp
        slots[index].samples = samples ?? 0
        slots[index].marker = marker
        slots[index].audioLevel = audioLevel
        slots[index].arrivalMs = arrivalMs
        slots[index].payload.removeAll(keepingCapacity: true)
        slots[index].payload.append(contentsOf: payload)
        count += 1
        statistics.received += 1
        updateTiming(transit: transit, arrivalMs: arrivalMs)

        // Bound the buffered audio.
        let limit = toSamples(ms: configuration.maxDelayMs)
        while count > 1, let head = headIndex() {
            let start = started ? max(playoutTimestamp, slots[head].timestamp) : slots[head].timestamp
            guard highestExtendedTimestamp + packetSamples - start > limit else { break }
            dropOldest(upTo: highestExtendedSequence)
        }
        return .buffered
    }

    /// Convenience for arrays.
    @discardableResult
    public mutating func insert(
        sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool, payload: [UInt8],
        arrivalMs: Int64, samples: Int? = nil, audioLevel: RTPAudioLevel? = nil
    ) -> InsertResult {
        payload.withUnsafeBytes {
            insert(
                sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc, marker: marker, payload: $0,
                arrivalMs: arrivalMs, samples: samples, audioLevel: audioLevel)
        }
    }

    // MARK: Output

    /// The audio for the tick at `now` (milliseconds). Call once per tick.
    public mutating func pull(now: Int64) -> JitterBufferOutput {
        ticksSinceStretch += 1
        guard hasStream else { return .silence }
        if coverRemaining > 0 {
            coverRemaining -= 1
            playoutTimestamp += tick
            return .covered
        }
        let ideal = now * Int64(configuration.clockRate) / 1000 - minimumTransit - target
        pullIdeal = ideal

        while true {
            guard let head = headIndex() else {
                if started { playoutTimestamp += tick }
                excessTicks = 0
                return .silence
            }
            let headTimestamp = slots[head].timestamp
            let missing = slots[head].sequence - nextSequence
            let gap = started ? headTimestamp - lastPlayedEnd : 0
            let talkspurtStart = !started || (gap > tick / 2 && (slots[head].marker || missing == 0))

            if talkspurtStart {
                if ideal >= headTimestamp { return play(head) }
                if started { playoutTimestamp = min(playoutTimestamp + tick, headTimestamp) }
                excessTicks = 0
                return .silence
            }
            if started, headTimestamp + duration(of: head) <= playoutTimestamp, missing == 0, headTimestamp == lastPlayedEnd {
                // The next packet, taking up exactly where the last one played ended, yet behind
                // the playout point: the buffer ran dry and playout moved on through silence.
                // The stream's delay rose in one step (a stalled sender, a route change), it did
                // not lose anything. Dropping it, and every packet after it, would silence the
                // participant for good; instead playout goes back to it and the delay grows by
                // the step, to shrink again once the target allows.
                statistics.delaySteps += 1
                rebaseTiming(onArrivalOf: head)
                return play(head)
            }
            if started, headTimestamp + duration(of: head) <= playoutTimestamp {
                // Arrived after its slot was played out (as silence or concealment).
                statistics.late += 1
                nextSequence = slots[head].sequence + 1
                lastPlayedEnd = max(lastPlayedEnd, headTimestamp + duration(of: head))
                remove(head)
                continue
            }
            if headTimestamp > playoutTimestamp {
                let remaining = headTimestamp - playoutTimestamp
                playoutTimestamp += tick
                excessTicks = 0
                if missing > 0, remaining <= missing * packetSamples {
                    statistics.concealed += 1
                    return .lost(next: remaining <= tick ? slots[head].payload : nil)
                }
                return .silence
            }

            // The head is due: keep playout near the ideal.
            let error = playoutTimestamp - ideal
            if error >= tick / 2, ticksSinceStretch >= 2 {
                ticksSinceStretch = 0
                statistics.framesStretched += 1
                excessTicks = 0
                return .lost(next: nil)
            }
            excessTicks = error <= -(tick + tick / 2) ? excessTicks + 1 : 0
            let hold = error <= -tick * Int64(configuration.fastShrinkExcessTicks) ? configuration.fastShrinkHoldTicks : configuration.shrinkHoldTicks
            if excessTicks >= hold, let next = index(of: slots[head].sequence + 1),
                slots[next].timestamp == headTimestamp + duration(of: head)
            {
                excessTicks = 0
                statistics.framesDropped += 1
                statistics.lost += UInt64(max(0, missing))
                nextSequence = slots[head].sequence + 1
                lastPlayedEnd = slots[next].timestamp
                remove(head)
                return play(next)
            }
            return play(head)
        }
    }

    // MARK: Internals

    private func toSamples(ms: Int) -> Int64 { Int64(ms) * Int64(configuration.clockRate) / 1000 }

    private mutating func beginStream(sequenceNumber: UInt16, timestamp: UInt32) {
        hasStream = true
        highestSequence = sequenceNumber
        highestExtendedSequence = Int64(sequenceNumber) + (1 << 32)
        highestTimestamp = timestamp
        highestExtendedTimestamp = Int64(timestamp) + (1 << 32)
        nextSequence = highestExtendedSequence
    }

    /// Forgets the stream (SSRC change, resync); counters and allocations stay.
    private mutating func resetStream() {
        for index in slots.indices where slots[index].sequence != Self.empty { slots[index].sequence = Self.empty }
        count = 0
        hasStream = false
        started = false
        coverRemaining = 0
        excessTicks = 0
        ticksSinceStretch = Int.max / 2
        packetSamples = tick
        forgetTimingHistory()
        minimumTransit = 0
        blockStartMs = 0
        blockIndex = 0
        timingStarted = false
    }

    private var timingStarted = false

    private mutating func updateTiming(transit: Int64, arrivalMs: Int64) {
        if !timingStarted {
            timingStarted = true
            blockStartMs = arrivalMs
        }
        var advanced = 0
        while arrivalMs - blockStartMs >= Int64(configuration.blockMs), advanced <= jitterPeaks.count {
            blockStartMs += Int64(configuration.blockMs)
            blockIndex += 1
            transitMinima[blockIndex % transitMinima.count] = Int64.max
            jitterPeaks[blockIndex % jitterPeaks.count] = 0
            jitterSeconds[blockIndex % jitterPeaks.count] = 0
            advanced += 1
        }
        if arrivalMs - blockStartMs >= Int64(configuration.blockMs) { blockStartMs = arrivalMs }
        let transitSlot = blockIndex % transitMinima.count
        transitMinima[transitSlot] = min(transitMinima[transitSlot], transit)
        minimumTransit = transitMinima.min() ?? transit
        let jitter = max(0, transit - minimumTransit)
        let peakSlot = blockIndex % jitterPeaks.count
        if jitter > jitterPeaks[peakSlot] {
            jitterSeconds[peakSlot] = jitterPeaks[peakSlot]
            jitterPeaks[peakSlot] = jitter
        } else if jitter > jitterSeconds[peakSlot] {
            jitterSeconds[peakSlot] = jitter
        }
        peakJitter = jitterSeconds.max() ?? 0
        let minimum = toSamples(ms: configuration.minDelayMs)
        target = min(max(minimum + peakJitter, minimum), toSamples(ms: configuration.maxDelayMs))
    }

    /// After a step in the stream's delay: the packet at `index` sets the fastest path anew, and
    /// the jitter measured against the old one (the step itself) is forgotten, so the target
    /// delay does not jump by the step and playout is not stretched towards it.
    private mutating func rebaseTiming(onArrivalOf index: Int) {
        let transit = slots[index].arrivalMs * Int64(configuration.clockRate) / 1000 - slots[index].timestamp
        forgetTimingHistory()
        transitMinima[blockIndex % transitMinima.count] = transit
        minimumTransit = transit
    }

    /// Forgets the transit minima and jitter peaks measured so far; the target falls to the minimum.
    private mutating func forgetTimingHistory() {
        for index in transitMinima.indices { transitMinima[index] = Int64.max }
        for index in jitterPeaks.indices {
            jitterPeaks[index] = 0
            jitterSeconds[index] = 0
        }
        peakJitter = 0
        target = toSamples(ms: configuration.minDelayMs)
    }

    private func index(of sequence: Int64) -> Int? {
        let index = Int(truncatingIfNeeded: sequence) & mask
        return slots[index].sequence == sequence ? index : nil
    }

    /// The slot of the lowest buffered sequence number.
    private func headIndex() -> Int? {
        guard count > 0 else { return nil }
        var sequence = nextSequence
        while sequence <= highestExtendedSequence {
            if let index = index(of: sequence) { return index }
            sequence += 1
        }
        return nil
    }

    /// The packet's duration: given, or the timestamp step to the next packet, or the last
    /// step seen.
    private func duration(of index: Int) -> Int64 {
        if slots[index].samples > 0 { return Int64(slots[index].samples) }
        if let next = self.index(of: slots[index].sequence + 1) {
            let step = slots[next].timestamp - slots[index].timestamp
            if step > 0, step <= toSamples(ms: configuration.maxPacketMs) { return step }
        }
        return packetSamples
    }

    private mutating func remove(_ index: Int) {
        slots[index].sequence = Self.empty
        count -= 1
    }

    /// Drops the oldest packet (or skips empty sequence numbers) to make room.
    private mutating func dropOldest(upTo limit: Int64) {
        if let head = headIndex() {
            let end = slots[head].timestamp + duration(of: head)
            statistics.overflows += 1
            nextSequence = slots[head].sequence + 1
            if started {
                playoutTimestamp = max(playoutTimestamp, end)
                lastPlayedEnd = max(lastPlayedEnd, end)
                coverRemaining = 0
            }
            remove(head)
        } else {
            nextSequence = max(nextSequence + 1, limit - Int64(mask))
        }
    }

    private mutating func play(_ index: Int) -> JitterBufferOutput {
        let slot = slots[index]
        let samples = duration(of: index)
        statistics.lost += UInt64(max(0, slot.sequence - nextSequence))
        nextSequence = slot.sequence + 1
        lastPlayedEnd = slot.timestamp + samples
        playoutTimestamp = slot.timestamp + tick
        coverRemaining = Int(max(0, (samples + tick - 1) / tick - 1))
        started = true
        packetSamples = samples
        playedAudioLevel = slot.audioLevel
        playedArrivalMs = slot.arrivalMs
        playedSpareMs = Int((pullIdeal - slot.timestamp) * 1000 / Int64(configuration.clockRate))
        remove(index)
        return .frame(payload: slot.payload, timestamp: UInt32(truncatingIfNeeded: slot.timestamp), samples: Int(samples))
    }
}
