import ChorusConference
import NIOCore
import NIOEmbedded
import XCTest

final class MixerClockTests: XCTestCase {
    final class Ticks: @unchecked Sendable { var indices: [Int] = [] }

    func testTicksEveryPeriodWithoutDrift() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        let clock = MixerClock(eventLoop: loop) { ticks.indices.append($0) }
        clock.start()
        // 50 periods in uneven steps still give exactly 50 ticks.
        for step in [7, 13, 20, 33, 27] + [Int](repeating: 20, count: 45) {
            loop.advanceTime(by: .milliseconds(Int64(step)))
        }
        XCTAssertEqual(ticks.indices, Array(1...50))
        XCTAssertEqual(clock.statistics.skipped, 0)
        XCTAssertEqual(clock.statistics.lateness.percentileMilliseconds(99), 0.1, "on time, to the bucket")
    }

    func testAStallSkipsTicksInsteadOfBursting() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        // The embedded loop runs every task exactly on time; `lag` makes the clock see a late wake-up.
        final class Lag: @unchecked Sendable { var milliseconds: Int64 = 0 }
        let lag = Lag()
        let clock = MixerClock(eventLoop: loop, now: { loop.now + .milliseconds(lag.milliseconds) }) { index in
            ticks.indices.append(index)
            lag.milliseconds = 0
        }
        clock.start()
        loop.advanceTime(by: .milliseconds(40))
        XCTAssertEqual(ticks.indices, [1, 2])
        // Tick 3 (due at 60 ms) wakes 85 ms late: ticks 3 to 6 are skipped, tick 7 runs once.
        lag.milliseconds = 85
        loop.advanceTime(by: .milliseconds(20))
        XCTAssertEqual(ticks.indices, [1, 2, 7], "one tick after the stall, not a burst")
        XCTAssertEqual(clock.statistics.skipped, 4)
        XCTAssertEqual(clock.statistics.lateness.percentileMilliseconds(100), 5.1, "85 ms late is 4 whole periods plus 5 ms (the 5.0-5.1 ms bucket)")
        // The grid is kept: tick 8 is due at 160 ms after start.
        loop.advanceTime(by: .milliseconds(99))
        XCTAssertEqual(ticks.indices, [1, 2, 7])
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(ticks.indices, [1, 2, 7, 8])
    }

    /// Starts `clock` once `loop`'s time is a second in: an advance moves the clock's start
    /// earlier, and deadlines cannot go below zero.
    private func start(_ clock: MixerClock, aSecondInto loop: EmbeddedEventLoop) {
        loop.advanceTime(by: .seconds(1))
        clock.start()
    }

    func testAdvanceMovesEveryLaterTickEarlier() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        let clock = MixerClock(eventLoop: loop) { ticks.indices.append($0) }
        start(clock, aSecondInto: loop)
        loop.advanceTime(by: .milliseconds(25))
        XCTAssertEqual(ticks.indices, [1])
        // Tick 2 was due at 40 ms; 4 ms earlier it is due at 36, and tick 3 at 56.
        XCTAssertEqual(clock.advance(by: .milliseconds(4)), .milliseconds(4))
        loop.advanceTime(by: .milliseconds(10))
        XCTAssertEqual(ticks.indices, [1])
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(ticks.indices, [1, 2])
        loop.advanceTime(by: .milliseconds(20))
        XCTAssertEqual(ticks.indices, [1, 2, 3])
        XCTAssertEqual(clock.statistics.advancedNanoseconds, 4_000_000)
        XCTAssertEqual(clock.statistics.lateness.percentileMilliseconds(100), 0.1, "the moved ticks are on time")
    }

    func testAdvanceNeverBringsTheNextTickCloserThanTheNotice() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        let clock = MixerClock(eventLoop: loop) { ticks.indices.append($0) }
        start(clock, aSecondInto: loop)
        loop.advanceTime(by: .milliseconds(35))
        // Tick 2 is due in 5 ms: with 2 ms of notice it can move 3 ms, not 4.
        XCTAssertEqual(clock.advance(by: .milliseconds(4), minimumNotice: .milliseconds(2)), .milliseconds(3))
        XCTAssertEqual(clock.advance(by: .milliseconds(4), minimumNotice: .milliseconds(2)), .zero)
        loop.advanceTime(by: .milliseconds(2))
        XCTAssertEqual(ticks.indices, [1, 2])
    }

    func testAdvanceFromInsideATickStillSchedulesOneNextTick() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        final class Holder: @unchecked Sendable { var clock: MixerClock? }
        let holder = Holder()
        let clock = MixerClock(eventLoop: loop) { index in
            ticks.indices.append(index)
            if index == 1 { holder.clock?.advance(by: .milliseconds(3)) }
        }
        holder.clock = clock
        start(clock, aSecondInto: loop)
        loop.advanceTime(by: .milliseconds(20))
        loop.advanceTime(by: .milliseconds(16))
        XCTAssertEqual(ticks.indices, [1])
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(ticks.indices, [1, 2], "tick 2 at 37 ms, 3 ms early")
        loop.advanceTime(by: .milliseconds(100))
        XCTAssertEqual(ticks.indices, [1, 2, 3, 4, 5, 6, 7], "one tick per period, none twice")
    }

    func testStopEndsTicks() {
        let loop = EmbeddedEventLoop()
        let ticks = Ticks()
        let clock = MixerClock(eventLoop: loop) { ticks.indices.append($0) }
        clock.start()
        loop.advanceTime(by: .milliseconds(20))
        clock.stop()
        loop.advanceTime(by: .milliseconds(200))
        XCTAssertEqual(ticks.indices, [1])
    }
}

final class MediaPortPoolTests: XCTestCase {
    func testPairsAreEvenAndRoundRobin() {
        var pool = MediaPortPool(range: 20000...20009)
        XCTAssertEqual(pool.capacity, 5)
        let first = (0..<5).compactMap { _ in pool.reserve() }
        XCTAssertEqual(first, [20000, 20002, 20004, 20006, 20008])
        XCTAssertNil(pool.reserve(), "all pairs taken")
        pool.release(20002)
        pool.release(20006)
        XCTAssertEqual(pool.reserve(), 20002)
        XCTAssertEqual(pool.reserve(), 20006)
        XCTAssertEqual(pool.reservedCount, 5)
    }

    func testJustReleasedPortIsNotReusedFirst() {
        var pool = MediaPortPool(range: 30000...30099)
        let a = pool.reserve()!
        pool.release(a)
        XCTAssertNotEqual(pool.reserve(), a)
    }

    func testOddUpperBoundLeavesNoHalfPair() {
        var pool = MediaPortPool(range: 40000...40004)
        XCTAssertEqual(pool.capacity, 2, "40004 has no RTCP partner inside the range")
        XCTAssertEqual([pool.reserve(), pool.reserve(), pool.reserve()], [40000, 40002, nil])
    }
}
