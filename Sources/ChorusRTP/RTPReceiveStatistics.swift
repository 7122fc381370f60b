/// Reception statistics of one remote source, per RFC 3550 appendix A.1 (sequence number
/// validation), A.3 (loss) and A.8 (interarrival jitter).
///
/// A new source is on probation until ``minSequential`` packets arrive in sequence. A jump
/// larger than ``maxDropout`` (or more than ``maxMisorder`` behind) is remembered; if the very
/// next packet follows it, the source is taken to have restarted and the counters restart.
/// "Received" includes duplicates, as §6.4.1 says, which is why cumulative loss can go
/// negative and is clamped on the wire.
public struct RTPReceiveStatistics: Sendable {
    public static let maxDropout: UInt16 = 3000
    public static let maxMisorder: UInt16 = 100
    public static let minSequential = 2
    private static let sequenceModulus: UInt32 = 1 << 16

    /// What ``update(sequenceNumber:timestamp:arrival:)`` made of a packet.
    public enum Outcome: Hashable, Sendable {
        /// In order (possibly after a gap); counts.
        case accepted
        /// Older than the highest sequence, not seen before; counts.
        case reordered
        /// Seen before (within the last 64 sequence numbers); counts as received per §6.4.1.
        case duplicate
        /// The source is still on probation; the packet is not valid yet.
        case probation
        /// A large jump; ignored unless the next packet confirms it.
        case badSequence
        /// The jump was confirmed: statistics restarted from this packet.
        case restarted
    }

    public let clockRate: Int
    public private(set) var maxSequence: UInt16 = 0
    /// Sequence wraps, shifted left by 16 (as in A.1).
    private var cycles: UInt32 = 0
    private var baseSequence: UInt32 = 0
    private var badSequence: UInt32 = Self.sequenceModulus + 1
    private var probation: Int
    public private(set) var received: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var transit: Int64?
    /// Jitter in timestamp units (A.8), kept as a real number.
    private var jitterValue: Double = 0
    /// Bit i set when extendedHighest − i was received (i < 64).
    private var recent: UInt64 = 0
    private var initialised = false

    public private(set) var duplicates: UInt64 = 0
    public private(set) var reordered: UInt64 = 0

    /// The last SR from this source: its NTP middle 32 bits and when it arrived.
    public private(set) var lastSenderReport: (ntpMiddle: UInt32, arrival: NTPTimestamp)?

    public init(clockRate: Int) {
        precondition(clockRate > 0)
        self.clockRate = clockRate
        self.probation = Self.minSequential
    }

    /// Extended highest sequence number received (cycles + max).
    public var extendedHighestSequence: UInt32 { cycles + UInt32(maxSequence) }
    /// Packets expected since the first valid one (A.3).
    public var expected: UInt32 { extendedHighestSequence &- baseSequence &+ 1 }
    /// Cumulative packets lost (A.3), may be negative with duplicates.
    public var cumulativeLost: Int64 { initialised ? Int64(expected) - Int64(received) : 0 }
    /// Interarrival jitter in timestamp units, as reported in RR blocks.
    public var jitter: UInt32 { UInt32(jitterValue) }
    /// True once the source has passed probation.
    public var isValid: Bool { initialised && probation == 0 }

    private mutating func initSequence(_ sequence: UInt16) {
        baseSequence = UInt32(sequence)
        maxSequence = sequence
        badSequence = Self.sequenceModulus + 1
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
        recent = 1
        initialised = true
    }

    /// Records one arriving packet.
    ///
    /// - Parameter arrival: the arrival time in the same units as `timestamp` (the RTP clock
    ///   of this payload), any origin; only differences matter (A.8).
    @discardableResult
    public mutating func update(sequenceNumber sequence: UInt16, timestamp: UInt32, arrival: UInt32) -> Outcome {
        if !initialised {
            initSequence(sequence)
            maxSequence = sequence &- 1
            probation = Self.minSequential
        }
        let delta = sequence &- maxSequence
        if probation > 0 {
            if sequence == maxSequence &+ 1 {
                probation -= 1
                maxSequence = sequence
                if probation == 0 {
                    initSequence(sequence)
                    received += 1
                    updateJitter(timestamp: timestamp, arrival: arrival)
                    return .accepted
                }
            } else {
                probation = Self.minSequential - 1
                maxSequence = sequence
            }
            return .probation
        }
        let outcome: Outcome
        if delta == 0 {
            duplicates += 1
            received += 1
            return .duplicate
        } else if delta < Self.maxDropout {
            if sequence < maxSequence { cycles &+= Self.sequenceModulus }
            maxSequence = sequence
            recent = delta >= 64 ? 1 : (recent << UInt64(delta)) | 1
            outcome = .accepted
        } else if delta <= UInt16.max - Self.maxMisorder + 1 {
            // A very large jump.
            if UInt32(sequence) == badSequence {
                // Two sequential packets: the source restarted.
                initSequence(sequence)
                transit = nil
                jitterValue = 0
                received += 1
                return .restarted
            }
            badSequence = (UInt32(sequence) + 1) & (Self.sequenceModulus - 1)
            return .badSequence
        } else {
            // Duplicate or reordered within maxMisorder behind the highest.
            let behind = maxSequence &- sequence
            if behind < 64 {
                let bit: UInt64 = 1 << UInt64(behind)
                if recent & bit != 0 {
                    duplicates += 1
                    received += 1
                    return .duplicate
                }
                recent |= bit
            }
            reordered += 1
            outcome = .reordered
        }
        received += 1
        if outcome == .accepted { updateJitter(timestamp: timestamp, arrival: arrival) }
        return outcome
    }

    /// A.8: J += (|D| − J) / 16 with D the difference of relative transit times.
    private mutating func updateJitter(timestamp: UInt32, arrival: UInt32) {
        let current = Int64(Int32(bitPattern: arrival &- timestamp))
        if let previous = transit {
            var difference = current - previous
            if difference < 0 { difference = -difference }
            jitterValue += (Double(difference) - jitterValue) / 16
        }
        transit = current
    }

    /// Records a sender report from this source (for LSR/DLSR).
    public mutating func receivedSenderReport(ntp: NTPTimestamp, arrival: NTPTimestamp) {
        lastSenderReport = (ntp.middle32, arrival)
    }

    /// The report block for the next RR/SR, with the fraction lost since the previous report
    /// (A.3), and starts a new reporting interval.
    public mutating func makeReportBlock(ssrc: UInt32, now: NTPTimestamp) -> RTCPReportBlock {
        let expected = self.expected
        let expectedInterval = expected &- expectedPrior
        expectedPrior = expected
        let receivedInterval = received &- receivedPrior
        receivedPrior = received
        let lostInterval = Int64(expectedInterval) - Int64(receivedInterval)
        let fraction: UInt8
        if expectedInterval == 0 || lostInterval <= 0 || !isValid {
            fraction = 0
        } else {
            fraction = UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        }
        let lost = isValid ? cumulativeLost : 0
        var lsr: UInt32 = 0
        var dlsr: UInt32 = 0
        if let sr = lastSenderReport {
            lsr = sr.ntpMiddle
            dlsr = now.middle32 &- sr.arrival.middle32
        }
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: RTCPReportBlock.clampCumulativeLost(lost),
            extendedHighestSequence: isValid ? extendedHighestSequence : 0, jitter: jitter,
            lastSenderReport: lsr, delaySinceLastSenderReport: dlsr)
    }
}
