/// When to send RTCP, per RFC 3550 §6.3 and appendix A.7, including timer reconsideration
/// and reverse reconsideration. Time is passed in as seconds on any monotonic clock.
///
/// Usage: ask ``shouldSend(now:)`` when ``nextSendTime`` is reached (a timer); when it
/// answers true, send a compound packet and report it with ``didSend(packetSize:now:)``.
public struct RTCPScheduler {
    /// §6.2: the fraction of the session bandwidth for RTCP.
    public static let rtcpFraction = 0.05
    public static let senderFraction = 0.25
    public static let receiverFraction = 0.75
    public static let minimumInterval = 5.0
    /// e − 3/2: compensates for the timer reconsideration converging below the intended
    /// average (§6.3.1).
    public static let compensation = 2.718_281_828_459_045 - 1.5

    /// RTCP bandwidth in octets per second (5% of the session bandwidth).
    public var rtcpBandwidth: Double
    /// Members of the session including us.
    public var members: Int = 2
    /// Senders in the session including us if we sent.
    public var senders: Int = 1
    /// Whether we sent RTP since the report before last (§6.3.8).
    public var weSent = true
    /// Average compound RTCP packet size in octets, including UDP and IP headers.
    public private(set) var averagePacketSize: Double
    public private(set) var initial = true
    /// tp: when RTCP was last sent.
    public private(set) var lastSendTime: Double
    /// tn: when the next RTCP packet is due.
    public private(set) var nextSendTime: Double
    private var previousMembers: Int
    private let random: () -> Double

    /// - Parameters:
    ///   - sessionBandwidth: the session bandwidth in bits per second (e.g. the SDP `b=AS`
    ///     value × 1000).
    ///   - now: the current time in seconds.
    ///   - averagePacketSize: the probable size of the first compound packet, with IP/UDP.
    ///   - random: uniform values in [0, 1).
    public init(sessionBandwidth: Double, now: Double, averagePacketSize: Double = 100, random: @escaping () -> Double) {
        self.rtcpBandwidth = sessionBandwidth * Self.rtcpFraction / 8
        self.averagePacketSize = averagePacketSize
        self.random = random
        self.lastSendTime = now
        self.previousMembers = 1
        self.nextSendTime = now
        self.nextSendTime = now + interval()
    }

    /// The deterministic part of the interval (before randomisation and compensation).
    public static func deterministicInterval(
        members: Int, senders: Int, rtcpBandwidth: Double, weSent: Bool, averagePacketSize: Double, initial: Bool
    ) -> Double {
        let minimum = initial ? minimumInterval / 2 : minimumInterval
        var bandwidth = rtcpBandwidth
        var n = Double(members)
        if Double(senders) <= Double(members) * senderFraction {
            if weSent {
                bandwidth *= senderFraction
                n = Double(senders)
            } else {
                bandwidth *= receiverFraction
                n -= Double(senders)
            }
        }
        guard bandwidth > 0 else { return minimum }
        return max(averagePacketSize * n / bandwidth, minimum)
    }

    /// A.7 `rtcp_interval`: the deterministic interval × U(0.5, 1.5) / (e − 3/2).
    public func interval() -> Double {
        let base = Self.deterministicInterval(
            members: members, senders: senders, rtcpBandwidth: rtcpBandwidth, weSent: weSent,
            averagePacketSize: averagePacketSize, initial: initial)
        return base * (random() + 0.5) / Self.compensation
    }

    /// A.7 `OnExpire` for a report: true when a report should be sent now. Otherwise the
    /// timer was reconsidered and ``nextSendTime`` moved later.
    public mutating func shouldSend(now: Double) -> Bool {
        guard now >= nextSendTime else { return false }
        let candidate = lastSendTime + interval()
        if candidate <= now { return true }
        nextSendTime = candidate
        return false
    }

    /// A report of `packetSize` octets (with IP/UDP headers) was sent at `now`.
    public mutating func didSend(packetSize: Int, now: Double) {
        averagePacketSize = Double(packetSize) / 16 + averagePacketSize * 15 / 16
        lastSendTime = now
        initial = false
        previousMembers = members
        nextSendTime = now + interval()
    }

    /// A compound packet of `packetSize` octets was received (A.7 `OnReceive` size update).
    public mutating func didReceive(packetSize: Int) {
        averagePacketSize = Double(packetSize) / 16 + averagePacketSize * 15 / 16
    }

    /// Members left (BYE or timeout): reverse reconsideration (§6.3.4) pulls the timers in.
    public mutating func membersDecreased(to newMembers: Int, now: Double) {
        members = max(newMembers, 1)
        guard members < previousMembers, previousMembers > 0 else { return }
        let ratio = Double(members) / Double(previousMembers)
        nextSendTime = now + ratio * (nextSendTime - now)
        lastSendTime = now - ratio * (now - lastSendTime)
        previousMembers = members
    }
}
