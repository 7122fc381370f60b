import ChorusMixer
import ChorusServer
import ChorusSIP
import ChorusTestSupport
import NIOCore
import XCTest

/// Three (or more) phones in one room of the real server over loopback: each sends its own tone,
/// and what each hears is checked by spectrum: the others' tones, never its own.
final class ConferenceIntegrationTests: XCTestCase {
    static let tones = ConferenceAudioCheck.tones

    private func dialThree(_ server: ChorusServer, room: String = "4200", codecs: [TestPhone.Codec], srtp: Bool = false) async throws -> [TestPhone] {
        let address = try await server.address(.udp)
        var phones: [TestPhone] = []
        for (index, codec) in codecs.enumerated() {
            phones.append(try await TestPhone.dial(room: room, server: address, options: .init(codec: codec, srtp: srtp, tone: Self.tones[index])))
        }
        for phone in phones { phone.startSending() }
        // Let the jitter buffers and talk detection settle before listening.
        try await Task.sleep(for: .milliseconds(400))
        return phones
    }

    private func checkWhoHearsWhom(_ phones: [TestPhone], silentTones: Set<Double> = [], file: StaticString = #filePath, line: UInt = #line) async throws {
        try await Task.sleep(for: .milliseconds(1200))
        for (index, phone) in phones.enumerated() {
            let recording = Array((await phone.recording()).suffix(phone.options.codec.sampleRate))
            let own = Self.tones[index]
            let others = Self.tones.prefix(phones.count).filter { $0 != own }
            ConferenceAudioCheck.assertHears(
                recording, sampleRate: phone.options.codec.sampleRate,
                heard: others.filter { !silentTones.contains($0) }, silent: [own] + others.filter { silentTones.contains($0) },
                "phone \(index) (\(phone.options.codec))", file: file, line: line)
        }
    }

    private func hangUpAll(_ phones: [TestPhone]) async throws {
        for phone in phones {
            let status = try await phone.hangUp()
            XCTAssertEqual(status, 200)
            await phone.close()
        }
    }

    func testThreeOpusPhonesHearEachOtherButNotThemselves() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .opus])
        XCTAssertTrue(phones[0].contactHeader.contains(";isfocus"), phones[0].contactHeader)
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testThreePCMUPhonesHearEachOtherButNotThemselves() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.pcmu, .pcmu, .pcmu])
        XCTAssertTrue(phones[0].answer.contains("PCMU/8000"), phones[0].answer)
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testThreeSRTPPhonesHearEachOtherButNotThemselves() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .pcmu, .opus], srtp: true)
        XCTAssertTrue(phones[0].answer.contains("RTP/SAVP"), phones[0].answer)
        XCTAssertTrue(phones[0].answer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), phones[0].answer)
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testMixedCodecsInOneRoom() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .pcma, .pcmu])
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testNobodyHearsAMutedParticipant() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .pcmu])
        let muted = await server.setControls(ParticipantControls(muted: true), forCallID: phones[1].callID)
        XCTAssertTrue(muted)
        try await Task.sleep(for: .milliseconds(300))
        try await checkWhoHearsWhom(phones, silentTones: [Self.tones[1]])
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testADeafParticipantHearsNothingButIsHeard() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .opus])
        _ = await server.setControls(ParticipantControls(deaf: true), forCallID: phones[0].callID)
        try await Task.sleep(for: .milliseconds(300))
        let deafHeard = try await phones[0].listen(for: .seconds(1))
        XCTAssertGreaterThan(deafHeard.count, 24_000, "a deaf phone still gets a stream (of silence)")
        for tone in Self.tones {
            XCTAssertLessThan(ConferenceAudioCheck.level(of: tone, in: deafHeard, sampleRate: 48_000), -35, "deaf phone hears no \(tone) Hz")
        }
        let other = Array((await phones[1].recording()).suffix(48_000))
        ConferenceAudioCheck.assertHears(other, sampleRate: 48_000, heard: [Self.tones[0], Self.tones[2]], silent: [Self.tones[1]], "phone 1")
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testHoldTakesAParticipantOutOfTheMixAndResumeBringsThemBack() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .opus])
        // Phone 2 holds (sendonly): nobody hears it, and it gets no media.
        let held = try await phones[2].reInvite(direction: "sendonly")
        XCTAssertEqual(held, 200)
        try await Task.sleep(for: .milliseconds(300))
        let heldHears = try await phones[2].listen(for: .seconds(1))
        XCTAssertLessThan(heldHears.count, 4_800, "a held phone gets no media")
        let heard = try await phones[0].listen(for: .seconds(1))
        ConferenceAudioCheck.assertHears(heard, sampleRate: 48_000, heard: [Self.tones[1]], silent: [Self.tones[0], Self.tones[2]], "phone 0 during hold")
        // Resume.
        let resumed = try await phones[2].reInvite(direction: "sendrecv")
        XCTAssertEqual(resumed, 200)
        try await Task.sleep(for: .milliseconds(300))
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testALateOfferCallerGetsChorusOfferAndIsMixedAfterTheAck() async throws {
        let server = try await TestServer.start()
        let address = try await server.address(.udp)
        var phones = [try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: Self.tones[0], lateOffer: true))]
        XCTAssertTrue(phones[0].answer.contains("opus/48000/2"), "Chorus offers in the 200 OK: \(phones[0].answer)")
        XCTAssertTrue(phones[0].answer.contains("PCMU/8000"), phones[0].answer)
        for index in 1...2 {
            phones.append(try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .pcmu, tone: Self.tones[index])))
        }
        for phone in phones { phone.startSending() }
        try await Task.sleep(for: .milliseconds(400))
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testACodecChangeByReInviteKeepsTheParticipantInTheRoom() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .opus])
        // Phone 0 moves from Opus to PCMU in the middle of the call.
        let status = try await phones[0].switchCodec(to: .pcmu)
        XCTAssertEqual(status, 200)
        XCTAssertTrue(phones[0].answer.contains("PCMU/8000"), phones[0].answer)
        try await Task.sleep(for: .milliseconds(400))
        try await checkWhoHearsWhom(phones)
        try await hangUpAll(phones)
        await server.shutdown()
    }

    func testUnsupportedOffersGet488WithAWarningAndGarbage400() async throws {
        var configuration = TestServer.configuration()
        configuration.media.srtp = .required
        configuration.security.sdes = .always  // SDES keys over UDP: the policy alone decides (TLSIntegrationTests covers tls-only)
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        do {
            _ = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, srtp: false))
            XCTFail("plain RTP must be refused when SRTP is required")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 488)
            XCTAssertNotNil(failure.warning, "488 says why in a Warning header")
        }
        let callsLeft = await server.callCount
        XCTAssertEqual(callsLeft, 0, "a refused call leaves nothing behind")
        let accepted = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, srtp: true))
        let status = try await accepted.hangUp()
        XCTAssertEqual(status, 200)
        await accepted.close()
        await server.shutdown()
    }

    func testShutdownHangsEveryoneUpWithBye() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .pcmu])
        async let stopped: Void = server.shutdown()
        for phone in phones {
            let gotBye = try await phone.awaitRequest("BYE", timeout: .seconds(5))
            XCTAssertTrue(gotBye, "shutdown sends BYE")
        }
        await stopped
        for phone in phones { await phone.close() }
    }

    func testSilentParticipantIsHungUpAfterTheInactivityTimeout() async throws {
        var configuration = TestServer.configuration()
        configuration.media.inactivityTimeout = .seconds(5)
        let server = try await TestServer.start(configuration)
        let phone = try await TestPhone.dial(room: "4200", server: try await server.address(.udp))
        // It never sends RTP.
        let gotBye = try await phone.awaitRequest("BYE", timeout: .seconds(9))
        XCTAssertTrue(gotBye, "no media for the timeout ends the call with BYE")
        try await Task.sleep(for: .milliseconds(200))
        let callsLeft = await server.callCount
        XCTAssertEqual(callsLeft, 0)
        await phone.close()
        await server.shutdown()
    }

    func testFullRoomGets486AndUnknownRoomWithoutAutoCreateGets404() async throws {
        var configuration = TestServer.configuration()
        configuration.conference.autoCreate = false
        configuration.conference.rooms = [RoomSpec(id: "4200", maxParticipants: 2)]
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let first = try await TestPhone.dial(room: "4200", server: address)
        let second = try await TestPhone.dial(room: "4200", server: address)
        let full = try await TestPhone.refusal(room: "4200", server: address)
        XCTAssertEqual(full?.statusCode, 486, "a full room refuses")
        let unknown = try await TestPhone.refusal(room: "9999", server: address)
        XCTAssertEqual(unknown?.statusCode, 404, "an unknown room refuses")
        // Someone leaves: there is room again.
        let status = try await second.hangUp()
        XCTAssertEqual(status, 200)
        let third = try await TestPhone.dial(room: "4200", server: address)
        for phone in [first, third] {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await second.close()
        await server.shutdown()
    }

    func testBadMediaIsDroppedAndTheRoomKeepsMixing() async throws {
        let server = try await TestServer.start()
        let phones = try await dialThree(server, codecs: [.opus, .opus, .opus])
        let attacker = phones[2]
        // Garbage, empty, huge, a wrong payload type and a flood, all at Chorus's media port.
        var junk: [[UInt8]] = [[], [0x00], Array(repeating: 0xFF, count: 1400), Array(repeating: 0x80, count: 12)]
        junk.append([0x80, 0x22, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9] + Array(repeating: 0x55, count: 100))
        for _ in 0..<20 { for packet in junk { try await attacker.sendRawMedia(packet) } }
        for index in 0..<2000 {
            try await attacker.sendRawMedia([0x80, 111, UInt8(index & 0xFF), 0, 0, 0, 0, 0, 1, 2, 3, 4] + Array(repeating: 0xAB, count: 60))
        }
        try await checkWhoHearsWhom(Array(phones.prefix(2)))
        try await hangUpAll(phones)
        await server.shutdown()
    }
}
