/// A token bucket: holds at most ``capacity`` tokens, refills at ``perSecond`` tokens a second,
/// and each admitted event takes one. Pure: the caller hands it the time (monotonic nanoseconds),
/// so it runs the same on a test's fake clock as on the event loop's.
public struct TokenBucket: Sendable, Equatable {
    /// Most tokens held: the burst admitted at once after a quiet spell.
    public let capacity: Double
    /// Tokens added per second: the sustained rate.
    public let perSecond: Double
    private var tokens: Double
    private var lastRefill: UInt64

    /// A full bucket at `now`.
    public init(capacity: Int, perSecond: Double, now: UInt64) {
        self.capacity = Double(max(1, capacity))
        self.perSecond = max(perSecond, 1e-9)
        self.tokens = self.capacity
        self.lastRefill = now
    }

    /// Takes one token if there is one; false when the event is over the rate.
    public mutating func take(now: UInt64) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether a token is there, without taking it.
    public mutating func hasToken(now: UInt64) -> Bool {
        refill(now: now)
        return tokens >= 1
    }

    /// Whole seconds until a token is there again (at least 1): a `Retry-After` value.
    public mutating func secondsUntilNextToken(now: UInt64) -> Int {
        refill(now: now)
        guard tokens < 1 else { return 1 }
        return max(1, Int(((1 - tokens) / perSecond).rounded(.up)))
    }

    /// Whether the bucket has refilled completely: such a bucket says nothing and can be forgotten.
    public mutating func isFull(now: UInt64) -> Bool {
        refill(now: now)
        return tokens >= capacity
    }

    private mutating func refill(now: UInt64) {
        guard now > lastRefill else { return }
        tokens = min(capacity, tokens + Double(now - lastRefill) / 1e9 * perSecond)
        lastRefill = now
    }
}
