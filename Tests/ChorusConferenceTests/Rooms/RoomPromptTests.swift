import ChorusConference
import ChorusMixer
import ChorusTestSupport
import Logging
import NIOCore
import NIOPosix
import XCTest

/// Lobby, waiting room and prompt tones of a running room, over loopback with real legs.
final class RoomPromptTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    private func makeRoom() async throws -> ConferenceRoom {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let room = ConferenceRoom(id: "prompts", eventLoop: loop, configuration: .init(), logger: logger)
        try await loop.submit { room.start() }.get()
        return room
    }

    private func close(_ room: ConferenceRoom, _ phones: [RoomPhone]) async throws {
        try await loop.submit { room.stop() }.get()
        for phone in phones { try await phone.leave(room) }
    }

    func testALobbyParticipantHearsOnlyThePromptUntilAdmitted() async throws {
        let room = try await makeRoom()
        let talker = try await RoomPhone.join(room, id: 1, frequency: 500)
        let lobby = try await RoomPhone.join(room, id: 2, frequency: 1200, admission: .lobby)

        // The snapshot is taken mid-stream, while the level meters see the tones.
        async let talking: Void = talk([talker, lobby], milliseconds: 800)
        try await Task.sleep(for: .milliseconds(600))
        let snapshots = try await loop.submit { room.participantSnapshots() }.get()
        try await talking
        let talkerHeard = try await talker.collect()
        let lobbyHeard = try await lobby.collect()
        XCTAssertGreaterThan(lobbyHeard.count, 30 * 960, "the lobby gets a steady stream")
        // The pips fill the first 300 ms of the lobby's stream; the room is not in it.
        XCTAssertGreaterThan(level(of: 800, in: lobbyHeard.prefix(300 * 48)), -20, "lobby hears the PIN prompt")
        XCTAssertLessThan(level(of: 500, in: lobbyHeard), -35, "lobby does not hear the room")
        XCTAssertLessThan(level(of: 1200, in: talkerHeard), -35, "the room does not hear the lobby")

        XCTAssertEqual(snapshots.map(\.admission), [.mixed, .lobby])
        XCTAssertEqual(snapshots.map(\.talking), [true, true], "talk detection runs in the lobby too")
        XCTAssertGreaterThan(snapshots[0].packetsReceived, 20)
        XCTAssertEqual(snapshots[0].lossPercent, 0)
        XCTAssertNotNil(snapshots[0].jitterMs)
        XCTAssertGreaterThan(snapshots[0].levelDBFS, -20)

        try await loop.submit { room.setAdmission(.mixed, for: lobby.id) }.get()
        // Long enough for talk detection and the jitter buffers even on a loaded machine.
        try await talk([talker, lobby], milliseconds: 1500)
        let talkerAfter = try await talker.collect().dropFirst(600 * 48)
        let lobbyAfter = try await lobby.collect().dropFirst(600 * 48)
        XCTAssertGreaterThan(level(of: 1200, in: talkerAfter), -15, "admitted: the room hears them")
        XCTAssertGreaterThan(level(of: 500, in: lobbyAfter), -15, "admitted: they hear the room")
        XCTAssertLessThan(level(of: 800, in: lobbyAfter), -35, "and the prompt stopped")
        try await close(room, [talker, lobby])
    }

    func testAToneForOneReachesOnlyThemAndAToneForAllSkipsTheExcepted() async throws {
        let room = try await makeRoom()
        let talker = try await RoomPhone.join(room, id: 1, frequency: 500)
        let target = try await RoomPhone.join(room, id: 2, frequency: nil)
        let bystander = try await RoomPhone.join(room, id: 3, frequency: nil)
        let phones = [talker, target, bystander]

        try await talk([talker], milliseconds: 300)
        for phone in phones { try await phone.collect() }
        try await loop.submit { room.play(.confirm, to: target.id) }.get()
        try await talk([talker], milliseconds: 300)
        let targetHeard = try await target.collect()
        let bystanderHeard = try await bystander.collect()
        // Measured over 12 runs: a tone that is played arrives at -12 to -19 dB; where it is not, the
        // room's 500 Hz tone leaks -38 to -62 dB into its band (Opus artefacts, jitter-buffer
        // resyncs), so the cut between them is -26 / -30 dB.
        XCTAssertGreaterThan(level(of: 1000, in: targetHeard), -26, "the target hears the confirm beep")
        XCTAssertGreaterThan(level(of: 500, in: targetHeard), -15, "over the room")
        XCTAssertLessThan(level(of: 1000, in: bystanderHeard), -30, "nobody else does")
        XCTAssertGreaterThan(level(of: 500, in: bystanderHeard), -15)

        let before = try await loop.submit { room.statistics }.get()
        try await loop.submit { room.playToAll(.join, except: bystander.id) }.get()
        try await talk([talker], milliseconds: 300)
        let after = try await loop.submit { room.statistics }.get()
        let targetJoin = try await target.collect()
        let bystanderJoin = try await bystander.collect()
        let talkerJoin = try await talker.collect()
        XCTAssertGreaterThan(level(of: 880, in: targetJoin), -26, "a listener hears the join chime")
        XCTAssertGreaterThan(level(of: 880, in: talkerJoin), -26, "so does the talker, over silence")
        XCTAssertLessThan(level(of: 880, in: bystanderJoin), -30, "the excepted one does not")
        XCTAssertGreaterThan(level(of: 500, in: bystanderJoin), -15)
        // The chime rides on the shared encoders: nobody got an encoder of their own for it.
        XCTAssertEqual(after.individualEncodes, before.individualEncodes)
        try await close(room, phones)
    }

    func testSnapshotsReportCodecSRTPControlsAndAdmission() async throws {
        let room = try await makeRoom()
        let plain = try await RoomPhone.join(room, id: 1, frequency: nil)
        let secure = try await RoomPhone.join(room, id: 2, frequency: nil, srtp: true, admission: .waiting)
        let muted = ParticipantControls(inputGain: 2, muted: true)
        try await loop.submit { room.setControls(muted, for: secure.id) }.get()

        let snapshots = try await loop.submit { room.participantSnapshots() }.get()
        XCTAssertEqual(snapshots.map(\.id), [plain.id, secure.id])
        XCTAssertEqual(snapshots.map(\.codec), ["opus", "opus"])
        XCTAssertEqual(snapshots.map(\.srtp), [false, true])
        XCTAssertEqual(snapshots.map(\.controls), [ParticipantControls(), muted], "controls as set, not as the lobby forces them")
        XCTAssertEqual(snapshots.map(\.admission), [.mixed, .waiting])
        XCTAssertEqual(snapshots.map(\.talking), [false, false])
        XCTAssertEqual(snapshots.map(\.packetsReceived), [0, 0])
        XCTAssertNil(snapshots[0].lossPercent, "no stream yet")
        XCTAssertLessThanOrEqual(snapshots[0].joinedAt, snapshots[1].joinedAt)

        // Controls set while waiting stay the user's after admission; the waiting cue is sent meanwhile.
        try await Task.sleep(for: .milliseconds(400))
        let waitingHeard = try await secure.collectCount()
        XCTAssertGreaterThan(waitingHeard, 10, "the waiting participant gets a stream (SRTP)")
        try await loop.submit { room.setAdmission(.mixed, for: secure.id) }.get()
        let admitted = try await loop.submit { room.participantSnapshots() }.get()
        XCTAssertEqual(admitted[1].controls, muted)
        XCTAssertEqual(admitted[1].admission, .mixed)
        try await close(room, [plain, secure])
    }
}

extension RoomPhone {
    /// Counts (and drops) the datagrams received so far, for streams this test cannot decrypt.
    func collectCount() async throws -> Int {
        var count = 0
        while await socket.receive(timeout: .milliseconds(2)) != nil { count += 1 }
        return count
    }
}
