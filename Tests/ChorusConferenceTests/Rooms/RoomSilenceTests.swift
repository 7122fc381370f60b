import ChorusConference
import Logging
import NIOCore
import NIOPosix
import XCTest

/// Silence is cheap: everyone on a loop with nothing to hear is sent the same encoded silence.
final class RoomSilenceTests: XCTestCase {
    func testRoomsOnOneLoopShareTheirSilenceAndEveryoneStillGetsAStream() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // Three rooms with one talker each: a lone talker hears nothing but must still get packets.
        var rooms: [ConferenceRoom] = []
        var phones: [RoomPhone] = []
        for index in 0..<3 {
            let room = ConferenceRoom(id: "silence-\(index)", eventLoop: loop, configuration: .init(), logger: logger)
            try await loop.submit { room.start() }.get()
            rooms.append(room)
            phones.append(try await RoomPhone.join(room, id: UInt64(index + 1), frequency: 500 + 300 * Double(index)))
        }
        let allRooms = rooms
        func silenceEncodes() async throws -> Int {
            try await loop.submit { allRooms.reduce(0) { $0 + $1.statistics.silenceEncodes } }.get()
        }
        for phone in phones { _ = try await phone.collect() }
        let before = try await silenceEncodes()
        let started = ContinuousClock.now
        try await talk(phones, milliseconds: 1000)
        let encodes = try await silenceEncodes() - before
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        for phone in phones {
            let heard = try await phone.collect()
            // A steady stream (most of a second's worth) of decodable silence, not their own tone.
            XCTAssertGreaterThan(heard.count, 40 * 960, "phone \(phone.id) got a stream")
            XCTAssertLessThan(level(of: phone.frequency ?? 0, in: heard), -35, "phone \(phone.id) does not hear themselves")
            // Silence names nobody: a lone talker's packets do not list the talker as a source.
            XCTAssertTrue(phone.contributingSources.allSatisfy(\.isEmpty), "phone \(phone.id): \(phone.contributingSources.suffix(5))")
        }
        // One encode per 20 ms for the three rooms together, not one per room.
        XCTAssertGreaterThan(encodes, 40)
        XCTAssertLessThan(Double(encodes), 1.3 * 50 * seconds, "three rooms, one silence stream: \(encodes) encodes in \(seconds) s")
        for (room, phone) in zip(rooms, phones) {
            try await loop.submit { room.stop() }.get()
            try await phone.leave(room)
        }
    }
}
