/// One ``TokenBucket`` per key (a source address), made full on first sight. Memory is bounded:
/// past ``maxKeys`` the buckets that have refilled completely are forgotten (they hold no
/// information), and if every bucket is still busy, the table starts afresh, so a flood from
/// spoofed addresses costs at most `maxKeys` entries.
public struct KeyedRateLimiter<Key: Hashable & Sendable>: Sendable {
    public let capacity: Int
    public let perSecond: Double
    public let maxKeys: Int
    private var buckets: [Key: TokenBucket] = [:]

    public init(capacity: Int, perSecond: Double, maxKeys: Int = 100_000) {
        self.capacity = capacity
        self.perSecond = perSecond
        self.maxKeys = max(1, maxKeys)
    }

    /// Keys with a bucket (for tests and metrics).
    public var trackedKeys: Int { buckets.count }

    /// Takes a token from `key`'s bucket; false when `key` is over its rate.
    public mutating func take(_ key: Key, now: UInt64) -> Bool {
        if buckets[key] == nil { makeRoom(now: now) }
        return buckets[key, default: TokenBucket(capacity: capacity, perSecond: perSecond, now: now)].take(now: now)
    }

    /// Whether `key` has a token left, without taking it.
    public mutating func isLimited(_ key: Key, now: UInt64) -> Bool {
        guard var bucket = buckets[key] else { return false }
        let limited = !bucket.hasToken(now: now)
        buckets[key] = bucket
        return limited
    }

    /// Whole seconds until `key` may go again (at least 1).
    public mutating func retryAfter(_ key: Key, now: UInt64) -> Int {
        buckets[key]?.secondsUntilNextToken(now: now) ?? 1
    }

    private mutating func makeRoom(now: UInt64) {
        guard buckets.count >= maxKeys else { return }
        buckets = buckets.filter { _, bucket in
            var bucket = bucket
            return !bucket.isFull(now: now)
        }
        if buckets.count >= maxKeys { buckets.removeAll(keepingCapacity: true) }
    }
}
