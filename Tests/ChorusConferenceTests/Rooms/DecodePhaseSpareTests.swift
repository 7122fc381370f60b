import Logging
import NIOCore
import NIOPosix
import XCTest

@testable import ChorusConference

/// The spare a room aligns its ticks by is counted from when the tick was due: a loop that reads
/// late sees every packet as longer overdue, by its own lateness, and moving the ticks earlier
/// would not make it read any sooner.
final class DecodePhaseSpareTests: XCTestCase {
    func testSpareIsCountedFromTheTicksDueTimeNotFromTheRead() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // Not started: the test runs the decode phase itself.
        let room = ConferenceRoom(id: "spare", eventLoop: loop, configuration: .init(), logger: logger)
        let phone = try await RoomPhone.join(room, id: 1, frequency: 500)
        try await talk([phone], milliseconds: 200)
        try await Task.sleep(for: .milliseconds(30))

        let (onTime, lateBy7) = try await loop.submit { () -> ((Int?, Int), (Int?, Int)) in
            let participant = room.ordered[0]
            func decode(dueBefore late: TimeAmount) -> (Int?, Int) {
                let settings = room.decodePhaseSettings(1, due: loop.now - late)
                _ = ConferenceRoom.decodePhase(room.ordered, settings)
                return (participant.playoutSpareMs, participant.leg.jitterBuffer.playedSpareMs)
            }
            return (decode(dueBefore: .zero), decode(dueBefore: .milliseconds(7)))
        }.get()
        XCTAssertEqual(onTime.0, onTime.1, "read when due: the jitter buffer's spare as it is")
        let spare = try XCTUnwrap(lateBy7.0, "a frame was played")
        XCTAssertEqual(spare, lateBy7.1 - 7, "read 7 ms after the tick was due: 7 ms less")
        try await phone.leave(room)
    }
}
