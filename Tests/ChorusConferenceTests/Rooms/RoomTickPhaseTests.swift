import ChorusConference
import Logging
import NIOCore
import NIOPosix
import XCTest

/// A room moves its ticks towards its talkers' packets: phones whose packets arrive just after a
/// tick (the worst phase, a whole tick of waiting) are mixed with less delay once it has, and
/// everyone still hears them.
final class RoomTickPhaseTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    /// Added delay (median over the last second of three) and how far the clock moved, with the
    /// phones sending just after a tick; checks that the listener heard both talkers throughout.
    private func run(aligning: Bool) async throws -> (delayMs: Double, advancedMs: Double) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let room = ConferenceRoom(id: "phase", eventLoop: loop, configuration: .init(alignsTicksToTalkers: aligning), logger: logger)
        try await loop.submit { room.start() }.get()
        let talkers = [
            try await RoomPhone.join(room, id: 1, frequency: 500),
            try await RoomPhone.join(room, id: 2, frequency: 1200),
        ]
        let listener = try await RoomPhone.join(room, id: 3, frequency: nil)
        let phones = talkers + [listener]

        // Start sending right at the end of a tick: each packet then comes a little after a tick.
        let tickEnded = loop.makePromise(of: Void.self)
        try await loop.submit {
            room.afterTick = { _ in
                room.afterTick = nil
                tickEnded.succeed()
            }
        }.get()
        try await tickEnded.futureResult.get()
        async let talking: Void = talk(phones, milliseconds: 3000)
        try await Task.sleep(for: .milliseconds(2000))
        let settled = try await loop.submit { room.addedDelay }.get()
        try await talking
        let (delay, clock) = try await loop.submit { (room.addedDelay.since(settled), room.clockStatistics) }.get()
        XCTAssertGreaterThan(delay.count, 60, "both talkers mixed over the last second")

        let heard = try await listener.collect().dropLast(200 * 48).suffix(1000 * 48)
        XCTAssertEqual(heard.count, 1000 * 48)
        XCTAssertGreaterThan(level(of: 500, in: heard), -15, "the listener hears the first talker (aligning: \(aligning))")
        XCTAssertGreaterThan(level(of: 1200, in: heard), -15, "the listener hears the second talker (aligning: \(aligning))")
        let first = try await talkers[0].collect().dropLast(200 * 48).suffix(1000 * 48)
        XCTAssertGreaterThan(level(of: 1200, in: first), -15, "the first talker hears the second")

        try await loop.submit { room.stop() }.get()
        for phone in phones { try await phone.leave(room) }
        return (delay.percentileMilliseconds(50), Double(clock?.advancedNanoseconds ?? 0) / 1e6)
    }

    func testTicksMoveTowardsTheTalkersPacketsAndCutTheDelay() async throws {
        let fixed = try await run(aligning: false)
        let aligned = try await run(aligning: true)
        print("added delay p50: \(fixed.delayMs) ms at a fixed phase, \(aligned.delayMs) ms aligned (ticks moved \(aligned.advancedMs) ms earlier)")
        XCTAssertEqual(fixed.advancedMs, 0)
        // Packets a little after a tick wait for the next one: about 13 ms beyond the jitter
        // buffer's 5 ms floor. Aligned, the tick comes about 2 ms after they are due: 8-11 ms
        // earlier here, about 6 under ThreadSanitizer, whose slower ticks end later (so the phones
        // start sending later in the tick).
        XCTAssertGreaterThan(aligned.advancedMs, 3, "the ticks moved towards the packets")
        XCTAssertLessThan(aligned.advancedMs, 20, "and stopped there, less than a tick away")
        XCTAssertLessThanOrEqual(aligned.delayMs, fixed.delayMs - 3, "the talkers wait less for the mix")
    }
}
