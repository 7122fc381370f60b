import ChorusConference
import ChorusMixer
import ChorusTestSupport
import Logging
import NIOCore
import NIOPosix
import XCTest

/// Cheap silence in a running room: participants whose RFC 6464 levels say they are silent are
/// not decoded, yet everyone hears whoever talks, from their first words on; a listener who
/// starts talking gets a stream of their own that continues the shared one; and every mixed
/// packet names who is in it (CSRC).
final class RoomDecodingTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    private func makeRoom() async throws -> ConferenceRoom {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let room = ConferenceRoom(id: "decoding", eventLoop: loop, configuration: .init(decodeCandidatesPerTick: 2), logger: logger)
        try await loop.submit { room.start() }.get()
        return room
    }

    private func close(_ room: ConferenceRoom, _ phones: [RoomPhone]) async throws {
        try await loop.submit { room.stop() }.get()
        for phone in phones { try await phone.leave(room) }
    }

    private func statistics(_ room: ConferenceRoom) async throws -> ConferenceRoom.Statistics {
        try await loop.submit { room.statistics }.get()
    }

    /// Two talkers and four quiet phones, every one sending a packet every 20 ms.
    private func join(_ room: ConferenceRoom, levels: Bool) async throws -> (talkers: [RoomPhone], quiet: [RoomPhone]) {
        let id: UInt8? = levels ? 3 : nil
        let talkers = [
            try await RoomPhone.join(room, id: 1, frequency: 500, audioLevelID: id),
            try await RoomPhone.join(room, id: 2, frequency: 1200, audioLevelID: id),
        ]
        var quiet: [RoomPhone] = []
        for index in 3...6 {
            quiet.append(try await RoomPhone.join(room, id: UInt64(index), frequency: nil, sendsQuietNoise: true, audioLevelID: id))
        }
        return (talkers, quiet)
    }

    func testQuietParticipantsWithLevelsAreNotDecodedAndEveryoneStillHearsTheTalkers() async throws {
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: true)
        try await talk(talkers + quiet, milliseconds: 1500)
        let counts = try await statistics(room)
        for phone in quiet {
            let heard = try await phone.collect().dropFirst(500 * 48)
            XCTAssertGreaterThan(level(of: 500, in: heard), -15, "quiet phone \(phone.id) hears the first talker")
            XCTAssertGreaterThan(level(of: 1200, in: heard), -15, "quiet phone \(phone.id) hears the second talker")
        }
        let first = try await talkers[0].collect().dropFirst(500 * 48)
        XCTAssertGreaterThan(level(of: 1200, in: first), -15)
        print("talker 1 hears the other at \(Int(level(of: 1200, in: first))) dB, themselves at \(Int(level(of: 500, in: first))) dB; \(counts)")
        XCTAssertLessThan(level(of: 500, in: first), -35, "a talker does not hear themselves")
        // Over ~75 ticks the four quiet phones send ~300 packets: nearly all skipped, and only the
        // talkers' ~150 decoded (plus a few frames while jitter buffers and talk detection settle).
        XCTAssertGreaterThan(counts.skippedDecodes, 200)
        XCTAssertLessThan(counts.decodedFrames, 190)
        // Two talkers hear only each other: each is sent the other's packets, nothing is encoded for them.
        XCTAssertGreaterThan(counts.forwardedPackets, 100)
        XCTAssertLessThan(counts.individualEncodes, 30)
        try await close(room, talkers + quiet)
    }

    func testWithoutLevelsEveryPacketIsDecoded() async throws {
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: false)
        try await talk(talkers + quiet, milliseconds: 1000)
        let counts = try await statistics(room)
        XCTAssertEqual(counts.skippedDecodes, 0)
        XCTAssertGreaterThan(counts.decodedFrames, 250, "six streams of ~50 packets, every one decoded")
        try await close(room, talkers + quiet)
    }

    func testAQuietParticipantWhoStartsTalkingIsHeardAndGetsAStreamThatContinuesTheSharedOne() async throws {
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: true)
        try await talk(talkers + quiet, milliseconds: 800)
        let before = try await statistics(room)
        let speaker = quiet[0]
        _ = try await speaker.collect()
        _ = try await quiet[1].collect()
        speaker.frequency = 800
        try await talk(talkers + quiet, milliseconds: 1200)
        let after = try await statistics(room)
        let listenerHeard = try await quiet[1].collect()
        let speakerHeard = try await speaker.collect()
        // Heard from the start: the first 200 ms after the onset already carry the new voice
        // (the jitter buffer and the tick add ~40 ms).
        XCTAssertGreaterThan(level(of: 800, in: listenerHeard.dropFirst(60 * 48).prefix(200 * 48)), -15, "the new talker's first words")
        XCTAssertGreaterThan(level(of: 800, in: listenerHeard.dropFirst(200 * 48)), -15)
        XCTAssertLessThan(level(of: 800, in: speakerHeard.dropFirst(200 * 48)), -35, "and they do not hear themselves")
        XCTAssertGreaterThan(level(of: 500, in: speakerHeard.dropFirst(200 * 48)), -15)
        // Leaving the shared stream for their own, their encoder took over the shared one's state.
        XCTAssertGreaterThan(after.streamContinuations, before.streamContinuations)
        XCTAssertGreaterThan(after.individualEncodes - before.individualEncodes, 3 * 50)
        try await close(room, talkers + quiet)
    }

    func testATalkerWhoStopsAbruptlyDoesNotHearTheEchoOfTheirLastWords() async throws {
        // Two talkers, so each hears the other forwarded; then the first stops mid-tone (a phone
        // muted, a call dropped). Put straight onto the shared stream, whose encoder still holds
        // the tail of the common mix with their tone in it, they heard it back (-6 dB in one 50 ms).
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: true)
        try await talk(talkers + quiet, milliseconds: 600)
        _ = try await talkers[0].collect()
        talkers[0].frequency = nil
        try await talk(talkers + quiet, milliseconds: 600)
        // The 300 ms after they stopped: the jitter buffer's delay, concealment, the talk detector's hangover.
        let heard = try await talkers[0].collect().prefix(300 * 48)
        print("after stopping, talker 1 hears the other at \(Int(level(of: 1200, in: heard))) dB, themselves at \(Int(level(of: 500, in: heard))) dB")
        XCTAssertGreaterThan(level(of: 1200, in: heard), -15, "they go on hearing the other talker")
        XCTAssertLessThan(level(of: 500, in: heard), -35, "and never themselves")
        try await close(room, talkers + quiet)
    }

    func testJoiningTheSharedStreamAfterItWasIdleDoesNotReplayItsLastMix() async throws {
        // One talker alone, heard by the quiet ones on the shared stream; muted, nobody is mixed
        // and the shared encoder idles, its look-ahead holding the muted one's voice; then the other
        // starts talking, and the muted one, not mixed last tick, joins the shared stream.
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: true)
        talkers[1].frequency = nil
        try await talk(talkers + quiet, milliseconds: 600)
        try await loop.submit { room.setControls(ParticipantControls(muted: true), for: talkers[0].id) }.get()
        try await talk(talkers + quiet, milliseconds: 200)
        _ = try await talkers[0].collect()
        talkers[1].frequency = 1200
        try await talk(talkers + quiet, milliseconds: 600)
        let heard = try await talkers[0].collect()
        XCTAssertGreaterThan(level(of: 1200, in: heard.dropFirst(200 * 48)), -15, "the muted one hears the new talker")
        // Frame by frame (500 Hz is a whole number of cycles in 20 ms): a replayed look-ahead is
        // 6.5 ms of their own tone in one frame, about -10 dB there and lost in a longer average.
        let ownTone = stride(from: 0, through: heard.count - 960, by: 960).map { start in
            20 * log10(max(ToneMeter.amplitude(of: 500, in: heard[start..<start + 960]), 1e-9) / ConferenceAudioCheck.toneAmplitude)
        }
        XCTAssertFalse(ownTone.isEmpty)
        XCTAssertLessThan(ownTone.max() ?? 0, -30, "they never hear themselves, not even for one frame")
        try await close(room, talkers + quiet)
    }

    func testMixedPacketsNameWhoIsInThemButNotTheListenerThemselves() async throws {
        let room = try await makeRoom()
        let (talkers, quiet) = try await join(room, levels: true)
        try await talk(talkers + quiet, milliseconds: 1000)
        for phone in talkers + quiet { _ = try await phone.collect() }
        // Packets from the second half of the talk (the last ones were mixed after the talkers stopped).
        // A packet late on a loaded machine can take a talker out of one tick's mix, so most, not
        // all, name both; none names anyone else, and no talker is named to themselves.
        let talkerSources: Set<UInt32> = [talkers[0].ssrc, talkers[1].ssrc]
        let listenerSources = quiet[0].contributingSources.dropLast(10).suffix(20)
        XCTAssertEqual(listenerSources.count, 20)
        XCTAssertTrue(listenerSources.allSatisfy { Set($0).isSubset(of: talkerSources) }, "\(listenerSources)")
        XCTAssertGreaterThan(listenerSources.filter { Set($0) == talkerSources }.count, 15, "\(listenerSources)")
        let firstTalkerSources = talkers[0].contributingSources.dropLast(10).suffix(20)
        XCTAssertTrue(firstTalkerSources.allSatisfy { $0.allSatisfy { $0 == talkers[1].ssrc } }, "\(firstTalkerSources)")
        XCTAssertGreaterThan(firstTalkerSources.filter { $0 == [talkers[1].ssrc] }.count, 15, "\(firstTalkerSources)")
        try await close(room, talkers + quiet)
    }

    func testTheRoomReportsItsTicksDecodesAndTheDelayItAdds() async throws {
        let store = CapturingLogHandler.Store()
        let room = ConferenceRoom(
            id: "report", eventLoop: loop, configuration: .init(reportInterval: .milliseconds(600)), logger: CapturingLogHandler.logger(store))
        try await loop.submit { room.start() }.get()
        let (talkers, quiet) = try await join(room, levels: true)
        try await talk(talkers + quiet, milliseconds: 2000)
        let delay = try await loop.submit { room.addedDelay }.get()
        let reports = store.messages.filter { $0.hasPrefix("media report:") }
        XCTAssertGreaterThanOrEqual(reports.count, 2, "\(store.messages)")
        let last = try XCTUnwrap(reports.last)
        XCTAssertTrue(last.contains("6 participants, 2 mixed"), last)
        XCTAssertTrue(last.contains("ticks, late p50"), last)
        XCTAssertTrue(last.contains("left undecoded"), last)
        // The jitter buffer's 5 ms floor plus the wait for the tick: 5 to 25 ms at zero network
        // jitter (a loaded test machine adds some). Arrivals are the kernel's, so it is never less
        // than the floor (1 ms of rounding aside).
        XCTAssertGreaterThan(delay.count, 100)
        XCTAssertGreaterThanOrEqual(delay.percentileMilliseconds(50), 4)
        XCTAssertLessThan(delay.percentileMilliseconds(50), 100)
        try await close(room, talkers + quiet)
    }

    func testTwoSRTPTalkersAreForwardedToEachOtherAndMixedWhenForwardingIsOff() async throws {
        for forwarding in [true, false] {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let room = ConferenceRoom(id: "pair", eventLoop: loop, configuration: .init(forwardsTwoTalkers: forwarding), logger: logger)
            try await loop.submit { room.start() }.get()
            let first = try await RoomPhone.join(room, id: 1, frequency: 500, srtp: true)
            let second = try await RoomPhone.join(room, id: 2, frequency: 1200, srtp: true)
            let listener = try await RoomPhone.join(room, id: 3, frequency: nil, srtp: true)
            try await talk([first, second, listener], milliseconds: 1500)
            let counts = try await statistics(room)
            let firstHeard = try await first.collect().dropFirst(500 * 48)
            let secondHeard = try await second.collect().dropFirst(500 * 48)
            let listenerHeard = try await listener.collect().dropFirst(500 * 48)
            XCTAssertGreaterThan(level(of: 1200, in: firstHeard), -15, "forwarding \(forwarding)")
            XCTAssertLessThan(level(of: 500, in: firstHeard), -35, "forwarding \(forwarding)")
            XCTAssertGreaterThan(level(of: 500, in: secondHeard), -15, "forwarding \(forwarding)")
            XCTAssertLessThan(level(of: 1200, in: secondHeard), -35, "forwarding \(forwarding)")
            XCTAssertGreaterThan(level(of: 500, in: listenerHeard), -15, "the listener hears the mix of both")
            XCTAssertGreaterThan(level(of: 1200, in: listenerHeard), -15)
            if forwarding {
                XCTAssertGreaterThan(counts.forwardedPackets, 100)
                XCTAssertLessThan(counts.individualEncodes, 30)
            } else {
                XCTAssertEqual(counts.forwardedPackets, 0)
                XCTAssertGreaterThan(counts.individualEncodes, 100)
            }
            try await close(room, [first, second, listener])
        }
    }

    func testARoomWhoseLegsAreSpreadOverLoopsMixesAsOne() async throws {
        // The room on one loop; most legs on two others: each tick decodes and sends on the legs'
        // own loops, and mixes on the room's.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (first, second) = (group.next(), group.next())
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let room = ConferenceRoom(id: "spread", eventLoop: loop, configuration: .init(), logger: logger)
        try await loop.submit { room.start() }.get()
        let talkers = [
            try await RoomPhone.join(room, id: 1, frequency: 500, audioLevelID: 3, legLoop: first),
            try await RoomPhone.join(room, id: 2, frequency: 1200, audioLevelID: 3, legLoop: second),
            try await RoomPhone.join(room, id: 3, frequency: 800, srtp: true, audioLevelID: 3),
        ]
        var quiet: [RoomPhone] = []
        for index in 4...7 {
            quiet.append(try await RoomPhone.join(
                room, id: UInt64(index), frequency: nil, sendsQuietNoise: true, audioLevelID: 3, legLoop: index % 2 == 0 ? first : second))
        }
        try await talk(talkers + quiet, milliseconds: 1500)
        let counts = try await statistics(room)
        let snapshots = try await loop.submit { room.participantSnapshots() }.get()
        let tones: [Double] = [500, 1200, 800]
        for (index, talker) in talkers.enumerated() {
            let heard = try await talker.collect().dropFirst(500 * 48)
            for (other, tone) in tones.enumerated() where other != index {
                XCTAssertGreaterThan(level(of: tone, in: heard), -15, "\(talker.id) hears \(tone) Hz")
            }
            XCTAssertLessThan(level(of: tones[index], in: heard), -35, "\(talker.id) does not hear themselves")
        }
        for phone in quiet {
            let heard = try await phone.collect().dropFirst(500 * 48)
            for tone in tones { XCTAssertGreaterThan(level(of: tone, in: heard), -15, "\(phone.id) hears \(tone) Hz") }
        }
        // The quiet ones were left undecoded on their own loops; snapshots carry their legs' figures.
        XCTAssertGreaterThan(counts.skippedDecodes, 200)
        // Each tick waits for the other loops' decode phases; one that never reported back would
        // make every later tick an overrun. One or two of ~75 are a loaded test machine's hiccup
        // (a loop scheduled 20 ms late), not the room's.
        XCTAssertLessThanOrEqual(counts.overruns, 2)
        XCTAssertTrue(snapshots.allSatisfy { $0.packetsReceived > 20 }, "\(snapshots.map(\.packetsReceived))")
        XCTAssertEqual(snapshots.map(\.srtp), [false, false, true, false, false, false, false])
        XCTAssertEqual(snapshots.map(\.remoteSSRC), (talkers + quiet).map(\.ssrc))
        try await close(room, talkers + quiet)
        try await group.shutdownGracefully()
    }

    func testTwoTalkersOnDifferentLoopsAreForwardedToEachOther() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let room = ConferenceRoom(id: "pair-spread", eventLoop: loop, configuration: .init(), logger: logger)
        try await loop.submit { room.start() }.get()
        let first = try await RoomPhone.join(room, id: 1, frequency: 500, legLoop: group.next())
        let second = try await RoomPhone.join(room, id: 2, frequency: 1200)
        try await talk([first, second], milliseconds: 1200)
        let counts = try await statistics(room)
        let firstHeard = try await first.collect().dropFirst(400 * 48)
        let secondHeard = try await second.collect().dropFirst(400 * 48)
        XCTAssertGreaterThan(level(of: 1200, in: firstHeard), -15)
        XCTAssertLessThan(level(of: 500, in: firstHeard), -35)
        XCTAssertGreaterThan(level(of: 500, in: secondHeard), -15)
        XCTAssertLessThan(level(of: 1200, in: secondHeard), -35)
        XCTAssertGreaterThan(counts.forwardedPackets, 60)
        try await close(room, [first, second])
        try await group.shutdownGracefully()
    }
}
