import ChorusRateLimit

/// Caps the packets (RTP and RTCP) one media leg takes in, so that a participant who sends far
/// more than a voice stream needs costs the room no more than an ordinary one: whatever is over
/// the rate is dropped before it is decrypted, buffered or decoded.
///
/// Packets from the participant's own (latched) address and packets from anywhere else draw on
/// separate buckets: a stranger spraying a leg's port cannot use up the participant's allowance,
/// and the participant's own flood cannot starve the check of a legitimate address change.
/// Pure: the caller hands it the time.
public struct PacketRateLimiter: Sendable {
    /// Packets per second a leg takes in, sustained.
    public let packetsPerSecond: Int
    private var fromParticipant: TokenBucket
    private var fromElsewhere: TokenBucket

    /// - Parameters:
    ///   - packetsPerSecond: the sustained rate; the burst allowed is one second's worth, which covers
    ///     the packets a network stall delivers at once.
    ///   - now: monotonic nanoseconds.
    public init(packetsPerSecond: Int, now: UInt64) {
        self.packetsPerSecond = packetsPerSecond
        fromParticipant = TokenBucket(capacity: packetsPerSecond, perSecond: Double(packetsPerSecond), now: now)
        fromElsewhere = TokenBucket(capacity: packetsPerSecond, perSecond: Double(packetsPerSecond), now: now)
    }

    /// Whether to take a packet in: false when its bucket is empty (drop it).
    /// - Parameter fromParticipant: the packet comes from the participant's latched address.
    public mutating func admit(fromParticipant isParticipant: Bool, now: UInt64) -> Bool {
        isParticipant ? fromParticipant.take(now: now) : fromElsewhere.take(now: now)
    }
}
