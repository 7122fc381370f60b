import XCTest

@testable import ChorusSDP

final class AnswerTransportTests: XCTestCase {
    func testDirections() throws {
        let expectations: [(offered: String?, answered: MediaDirection, sends: Bool, receives: Bool)] = [
            (nil, .sendrecv, true, true),
            ("sendrecv", .sendrecv, true, true),
            ("sendonly", .recvonly, false, true),
            ("recvonly", .sendonly, true, false),
            ("inactive", .inactive, false, false),
        ]
        for expectation in expectations {
            let lines = expectation.offered.map { ["a=\($0)"] } ?? []
            let (answer, audio) = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", lines))
            let name = expectation.offered ?? "none"
            XCTAssertEqual(answer.media[0].direction(), expectation.answered, name)
            XCTAssertEqual(audio.localDirection, expectation.answered, name)
            XCTAssertEqual(audio.remoteDirection, MediaDirection(rawValue: expectation.offered ?? "sendrecv"), name)
            XCTAssertEqual(audio.chorusSends, expectation.sends, name)
            XCTAssertEqual(audio.chorusReceives, expectation.receives, name)
        }
    }

    func testSessionLevelDirectionIsTheDefault() throws {
        let audio = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", sessionLines: ["a=sendonly"])).audio
        XCTAssertEqual(audio.remoteDirection, .sendonly)
        XCTAssertEqual(audio.localDirection, .recvonly)
        XCTAssertFalse(audio.chorusSends)
    }

    func testOldStyleHoldWithUnspecifiedAddress() throws {
        for address in ["IN IP4 0.0.0.0", "IN IP6 ::"] {
            let (_, audio) = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", sessionConnection: "c=\(address)"))
            XCTAssertNil(audio.remoteAddress, address)
            XCTAssertNil(audio.remoteRTCPAddress, address)
            XCTAssertFalse(audio.chorusSends, address)
            XCTAssertTrue(audio.chorusReceives, address)
        }
    }

    func testRTCPMux() throws {
        let (answer, audio) = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", ["a=rtcp-mux", "a=rtcp:4000"]))
        XCTAssertTrue(audio.rtcpMux)
        XCTAssertNil(audio.remoteRTCPPort)
        XCTAssertNil(audio.remoteRTCPAddress)
        XCTAssertTrue(answer.media[0].rtcpMux)
        XCTAssertNil(answer.media[0].rtcp)
    }

    func testRemoteRTCPPortAndAddress() throws {
        let defaulted = try answerOffer(try offer("m=audio 4000 RTP/AVP 0")).audio
        XCTAssertFalse(defaulted.rtcpMux)
        XCTAssertEqual(defaulted.remoteRTCPPort, 4_001)
        XCTAssertEqual(defaulted.remoteRTCPAddress, "192.0.2.20")
        let explicit = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", ["a=rtcp:5999 IN IP4 192.0.2.77"])).audio
        XCTAssertEqual(explicit.remoteRTCPPort, 5_999)
        XCTAssertEqual(explicit.remoteRTCPAddress, "192.0.2.77")
        let portOnly = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", ["a=rtcp:5999"])).audio
        XCTAssertEqual(portOnly.remoteRTCPPort, 5_999)
        XCTAssertEqual(portOnly.remoteRTCPAddress, "192.0.2.20")
    }

    func testLocalRTCPAttributeOnlyWhenNotAdjacent() throws {
        let description = try offer()
        let adjacent = try answerOffer(description).answer
        XCTAssertNil(adjacent.media[0].rtcp)
        let transport = LocalTransport(address: "198.51.100.7", rtpPort: 20_000, rtcpPort: 21_000)
        let separate = try OfferAnswer.answer(to: description, transport: transport, capabilities: testCapabilities(), session: testSession)
        XCTAssertEqual(separate.answer.media[0].rtcp, SDPRTCPAttribute(port: 21_000))
        let muxed = try OfferAnswer.answer(
            to: try offer("m=audio 4000 RTP/AVP 0", ["a=rtcp-mux"]), transport: transport, capabilities: testCapabilities(), session: testSession)
        XCTAssertNil(muxed.answer.media[0].rtcp)
        XCTAssertTrue(muxed.answer.media[0].rtcpMux)
    }

    func testSendPacketTime() throws {
        let expectations: [([String], Int)] = [
            ([], 20),
            (["a=ptime:10"], 10),
            (["a=ptime:20"], 20),
            (["a=ptime:30"], 20),
            (["a=ptime:40"], 40),
            (["a=ptime:60"], 60),
            (["a=ptime:60", "a=maxptime:40"], 40),
            (["a=ptime:60", "a=maxptime:50"], 40),
            (["a=ptime:40", "a=maxptime:20"], 20),
            (["a=maxptime:10"], 10),
            (["a=ptime:10", "a=maxptime:120"], 10),
        ]
        for (lines, expected) in expectations {
            let audio = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", lines)).audio
            XCTAssertEqual(audio.sendPacketTime, expected, "\(lines)")
        }
        let sessionLevel = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", sessionLines: ["a=ptime:40"])).audio
        XCTAssertEqual(sessionLevel.sendPacketTime, 40)
    }

    func testOpusParametersOfTheAnsweredStream() throws {
        let audio = try answerOffer(
            try offer(
                "m=audio 4000 RTP/AVP 111",
                [
                    "a=rtpmap:111 opus/48000/2",
                    "a=fmtp:111 maxplaybackrate=16000;sprop-maxcapturerate=16000;stereo=1;sprop-stereo=0;useinbandfec=1;usedtx=1;maxaveragebitrate=24000",
                    "a=ptime:40", "a=maxptime:60",
                ]
            )
        ).audio
        XCTAssertEqual(
            audio.codec.opus,
            OpusParameters(
                maxPlaybackRate: 16_000, spropMaxCaptureRate: 16_000, stereo: true, spropStereo: false,
                useInbandFEC: true, useDTX: true, maxAverageBitrate: 24_000, ptime: 40, maxptime: 60)
        )
        XCTAssertEqual(audio.sendPacketTime, 40)
    }
}
