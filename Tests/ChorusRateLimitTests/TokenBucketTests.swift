import ChorusRTP
import XCTest
@testable import ChorusRateLimit

/// Every test runs on a fake clock: nanoseconds handed in, nothing sleeps.
final class TokenBucketTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    func testBurstThenSustainedRate() {
        var bucket = TokenBucket(capacity: 5, perSecond: 2, now: 0)
        XCTAssertEqual((0..<8).filter { _ in bucket.take(now: 0) }.count, 5, "the burst is the capacity")
        XCTAssertFalse(bucket.take(now: second / 4), "half a token after 250 ms")
        XCTAssertTrue(bucket.take(now: second / 2), "one token after 500 ms at 2/s")
        XCTAssertFalse(bucket.take(now: second / 2))
        // Over ten seconds at 2/s: 20 more, never more than the rate.
        var admitted = 0
        for step in 1...1000 where bucket.take(now: second / 2 + UInt64(step) * second / 100) { admitted += 1 }
        XCTAssertEqual(admitted, 20)
    }

    func testRefillStopsAtCapacityAndRetryAfterCountsWholeSeconds() {
        var bucket = TokenBucket(capacity: 3, perSecond: 0.5, now: 0)
        for _ in 0..<3 { XCTAssertTrue(bucket.take(now: 0)) }
        XCTAssertEqual(bucket.secondsUntilNextToken(now: 0), 2, "one token takes 2 s at 0.5/s")
        XCTAssertEqual(bucket.secondsUntilNextToken(now: second), 1)
        XCTAssertFalse(bucket.isFull(now: 5 * second))
        XCTAssertTrue(bucket.isFull(now: 600 * second))
        XCTAssertEqual((0..<10).filter { _ in bucket.take(now: 600 * second) }.count, 3, "a long pause refills to capacity, no more")
    }

    func testAClockGoingBackwardsAddsNothing() {
        var bucket = TokenBucket(capacity: 1, perSecond: 1, now: 10 * second)
        XCTAssertTrue(bucket.take(now: 10 * second))
        XCTAssertFalse(bucket.take(now: 5 * second))
        XCTAssertTrue(bucket.take(now: 11 * second))
    }

    func testKeysAreLimitedApartAndTheTableIsBounded() {
        var limiter = KeyedRateLimiter<String>(capacity: 2, perSecond: 1, maxKeys: 4)
        XCTAssertTrue(limiter.take("a", now: 0))
        XCTAssertTrue(limiter.take("a", now: 0))
        XCTAssertFalse(limiter.take("a", now: 0), "a is over")
        XCTAssertTrue(limiter.isLimited("a", now: 0))
        XCTAssertTrue(limiter.take("b", now: 0), "b has its own bucket")
        XCTAssertFalse(limiter.isLimited("never-seen", now: 0))
        XCTAssertEqual(limiter.retryAfter("a", now: 0), 1)
        for key in ["c", "d", "e", "f", "g", "h"] { _ = limiter.take(key, now: 0) }
        XCTAssertLessThanOrEqual(limiter.trackedKeys, 4, "spoofed sources cannot grow the table past maxKeys")
        // Buckets that have refilled are forgotten first; busy ones survive while there is room.
        var quiet = KeyedRateLimiter<String>(capacity: 1, perSecond: 1, maxKeys: 2)
        _ = quiet.take("old", now: 0)
        _ = quiet.take("busy", now: 5 * second)
        _ = quiet.take("new", now: 5 * second)
        XCTAssertTrue(quiet.isLimited("busy", now: 5 * second), "the busy source is still remembered")
        XCTAssertEqual(quiet.trackedKeys, 2)
    }

    func testPacketRateLimiterCapsATenfoldSenderAndKeepsStrangersApart() {
        var limiter = PacketRateLimiter(packetsPerSecond: 150, now: 0)
        // A participant sending 500 packets a second (10x a 20 ms stream) for 10 s.
        var admitted = 0
        for packet in 0..<5000 where limiter.admit(fromParticipant: true, now: UInt64(packet) * second / 500) { admitted += 1 }
        XCTAssertEqual(Double(admitted), 150 + 150 * 10, accuracy: 2, "one second's burst, then 150/s")
        // Meanwhile a stranger's packets draw on their own bucket.
        XCTAssertTrue(limiter.admit(fromParticipant: false, now: 10 * second))
        // An ordinary 50 packets/s stream is never touched.
        var ordinary = PacketRateLimiter(packetsPerSecond: 150, now: 0)
        XCTAssertTrue((0..<500).allSatisfy { ordinary.admit(fromParticipant: true, now: UInt64($0) * second / 50) })
    }
}
