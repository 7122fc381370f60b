/// Hands out RTP/RTCP port pairs from the configured range (`media.port_min`...`media.port_max`):
/// RTP on an even port, RTCP on the next one (RFC 3550 §11), so a pair is reserved even when the
/// call ends up using rtcp-mux (RFC 5761) and needs only the first.
///
/// Ports are handed out round-robin rather than lowest-first, so a port that just closed is not
/// reused at once (late packets of the old call would land in the new one). A port that the
/// caller cannot bind (another process holds it) is given back with ``release(_:)`` and the next
/// ``reserve()`` moves on. Not thread-safe: one owner (the SIP event loop).
public struct MediaPortPool: Sendable {
    public let range: ClosedRange<Int>
    private var inUse: Set<Int> = []
    private var cursor: Int

    /// - Parameter range: inclusive; its lower bound must be even. Pairs whose RTCP port would fall
    ///   outside the range are not used.
    public init(range: ClosedRange<Int>) {
        precondition(range.lowerBound % 2 == 0, "RTP ports start on an even number")
        self.range = range
        self.cursor = range.lowerBound
    }

    /// How many pairs the range holds.
    public var capacity: Int { (range.upperBound - range.lowerBound + 1) / 2 }
    public var reservedCount: Int { inUse.count }

    /// The RTP port of a free pair, or nil when every pair is taken.
    public mutating func reserve() -> Int? {
        guard inUse.count < capacity else { return nil }
        for _ in 0..<capacity {
            let port = cursor
            cursor += 2
            if cursor + 1 > range.upperBound { cursor = range.lowerBound }
            if !inUse.contains(port) {
                inUse.insert(port)
                return port
            }
        }
        return nil
    }

    /// Gives a pair back (by its RTP port). Releasing a port that is not reserved does nothing.
    public mutating func release(_ port: Int) {
        inUse.remove(port)
    }
}
