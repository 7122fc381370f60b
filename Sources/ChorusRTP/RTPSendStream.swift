/// The state of one outgoing RTP stream: SSRC, sequence number, timestamp and the counters
/// an RTCP sender report needs (RFC 3550 §5.1, §6.4.1).
///
/// SSRC, first sequence number and first timestamp are random (§5.1: "SHOULD be random"),
/// drawn from an injected generator so tests are deterministic. The timestamp is a running
/// count of media samples: it advances by each packet's duration, by ``skip(samples:)`` for
/// time that passed without packets (DTX, hold), and across a codec change it continues from
/// where it stood in the new clock rate, so it never jumps backwards.
public struct RTPSendStream: Sendable {
    public let ssrc: UInt32
    public var payloadType: UInt8
    /// Samples per second of the current codec's RTP clock.
    public private(set) var clockRate: Int
    /// The sequence number the next packet gets.
    public private(set) var sequenceNumber: UInt16
    /// The timestamp the next packet gets.
    public private(set) var timestamp: UInt32
    /// Packets sent (SR "sender's packet count"; wraps as on the wire).
    public private(set) var packetCount: UInt32 = 0
    /// Payload octets sent (SR "sender's octet count"; wraps as on the wire).
    public private(set) var octetCount: UInt32 = 0
    /// The timestamp of the last packet sent, for extrapolating an SR's RTP timestamp.
    public private(set) var lastTimestamp: UInt32?
    /// Whether the next packet starts a talkspurt (set initially and by ``skip(samples:)``).
    public private(set) var pendingMarker = true

    /// - Parameter random: a source of random 64-bit values (SSRC, sequence, timestamp).
    public init(payloadType: UInt8, clockRate: Int, random: () -> UInt64) {
        precondition(clockRate > 0 && payloadType <= 127)
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.ssrc = UInt32(truncatingIfNeeded: random() >> 32)
        self.sequenceNumber = UInt16(truncatingIfNeeded: random() >> 48)
        self.timestamp = UInt32(truncatingIfNeeded: random() >> 32)
    }

    /// A stream with chosen starting values (tests, or re-creating a stream).
    public init(ssrc: UInt32, payloadType: UInt8, clockRate: Int, sequenceNumber: UInt16, timestamp: UInt32) {
        precondition(clockRate > 0 && payloadType <= 127)
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
    }

    /// The header of the next packet, then advances the sequence number by one and the
    /// timestamp by `samples`.
    ///
    /// - Parameters:
    ///   - samples: the packet's duration in the current clock rate.
    ///   - payloadOctets: the payload size, for the SR octet count.
    ///   - marker: set for the first packet of a talkspurt (after a silence gap); it is also
    ///     set automatically on the very first packet and the first after ``skip(samples:)``.
    public mutating func nextHeader(samples: Int, payloadOctets: Int, marker: Bool = false) -> RTPHeader {
        precondition(samples >= 0 && payloadOctets >= 0)
        let header = RTPHeader(
            marker: marker || pendingMarker, payloadType: payloadType, sequenceNumber: sequenceNumber,
            timestamp: timestamp, ssrc: ssrc)
        pendingMarker = false
        lastTimestamp = timestamp
        sequenceNumber &+= 1
        timestamp &+= UInt32(truncatingIfNeeded: samples)
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: payloadOctets)
        return header
    }

    /// Time passed without packets (DTX silence, hold): the timestamp advances by `samples`
    /// in the current clock rate so it keeps following wall time, and the next packet gets
    /// the marker bit. The sequence number does not move (§5.1).
    public mutating func skip(samples: Int) {
        precondition(samples >= 0)
        timestamp &+= UInt32(truncatingIfNeeded: samples)
        pendingMarker = true
    }

    /// As ``skip(samples:)`` for a duration in milliseconds.
    public mutating func skip(milliseconds: Int) {
        skip(samples: milliseconds * clockRate / 1000)
    }

    /// Switches codec. The timestamp continues from its current value (which already covers
    /// everything sent so far) and from now on advances in `clockRate` units, so it stays
    /// monotonic whether the new rate is higher or lower.
    public mutating func changeCodec(payloadType: UInt8, clockRate: Int) {
        precondition(clockRate > 0 && payloadType <= 127)
        self.payloadType = payloadType
        self.clockRate = clockRate
    }

    /// The RTP timestamp for an SR sent `elapsedMilliseconds` after the last packet's
    /// capture instant (§6.4.1: the same instant as the SR's NTP timestamp).
    public func senderReportTimestamp(elapsedMillisecondsSinceLastPacket elapsed: Int) -> UInt32 {
        let base = lastTimestamp ?? timestamp
        return base &+ UInt32(truncatingIfNeeded: elapsed * clockRate / 1000)
    }
}
