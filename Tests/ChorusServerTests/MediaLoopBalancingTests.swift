import ChorusTestSupport
import NIOCore
import NIOPosix
import XCTest

@testable import ChorusServer

/// Rooms are spread over the media loops (one per core) by the calls each already carries.
final class MediaLoopBalancingTests: XCTestCase {
    func testANewRoomGoesToTheLoopWithTheFewestCalls() async throws {
        // Three loops: SIP runs on the first; the two others start empty.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let server = ChorusServer(configuration: TestServer.configuration(), logger: .init(label: "test"), group: group)
        try await server.start()
        let address = try await server.address(.udp)
        func loop(of room: String) async throws -> ObjectIdentifier? {
            try await server.sipLoop.submit { server.focus.rooms[room].map { ObjectIdentifier($0.eventLoop) } }.get()
        }
        var phones: [TestPhone] = []
        phones.append(try await TestPhone.dial(room: "first", server: address))
        phones.append(try await TestPhone.dial(room: "first", server: address))
        phones.append(try await TestPhone.dial(room: "second", server: address))
        let first = try await loop(of: "first")
        let second = try await loop(of: "second")
        let signalling = ObjectIdentifier(server.sipLoop)
        XCTAssertNotEqual(first, signalling, "an empty loop without the signalling goes first")
        XCTAssertNotEqual(second, signalling)
        XCTAssertNotEqual(first, second, "the second room goes to the other empty loop")
        // Two calls on one loop, one on the other: the third room joins the one with one call,
        // not the next loop in turn (the signalling loop).
        phones.append(try await TestPhone.dial(room: "third", server: address))
        let third = try await loop(of: "third")
        XCTAssertEqual(third, second)
        for phone in phones { _ = try await phone.hangUp() }
        await server.shutdown()
        try await group.shutdownGracefully()
    }

    func testALargeRoomSpreadsItsLegsOverTheLoopsAndStillMixesAsOne() async throws {
        // "Large" is more than one participant here, so that three phones make a spread room.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var configuration = TestServer.configuration()
        configuration.media.spreadRoomsLargerThan = 1
        let server = ChorusServer(configuration: configuration, logger: .init(label: "test"), group: group)
        try await server.start()
        let address = try await server.address(.udp)
        var phones: [TestPhone] = []
        for (index, codec) in [TestPhone.Codec.opus, .opus, .pcmu].enumerated() {
            phones.append(try await TestPhone.dial(room: "spread", server: address, options: .init(codec: codec, srtp: index == 1, tone: ConferenceAudioCheck.tones[index])))
        }
        let loops = try await server.sipLoop.submit {
            server.focus.calls.values.sorted { $0.participant.rawValue < $1.participant.rawValue }.map { $0.legLoop.map(ObjectIdentifier.init) }
        }.get()
        let roomLoop = try await server.sipLoop.submit { server.focus.rooms["spread"].map { ObjectIdentifier($0.eventLoop) } }.get()
        XCTAssertEqual(loops.count, 3)
        XCTAssertEqual(loops[0], roomLoop, "the first stays on the room's loop")
        XCTAssertNotEqual(loops[1], roomLoop, "once the room is larger, the next goes to the loop with fewer of its legs")
        XCTAssertEqual(Set(loops).count, 2)
        for phone in phones { phone.startSending() }
        try await Task.sleep(for: .milliseconds(1600))
        for (index, phone) in phones.enumerated() {
            let recording = Array((await phone.recording()).suffix(phone.options.codec.sampleRate))
            let tones = ConferenceAudioCheck.tones.prefix(3)
            ConferenceAudioCheck.assertHears(
                recording, sampleRate: phone.options.codec.sampleRate, heard: tones.filter { $0 != tones[index] }, silent: [tones[index]],
                "phone \(index)")
        }
        for phone in phones {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await server.shutdown()
        try await group.shutdownGracefully()
    }
}
