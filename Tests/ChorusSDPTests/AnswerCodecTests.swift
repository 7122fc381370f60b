import XCTest

@testable import ChorusSDP

final class AnswerCodecTests: XCTestCase {
    func testCodecChoiceTable() throws {
        struct Case {
            var name: String
            var mLine: String
            var lines: [String]
            var capabilities: [AudioCodecKind] = [.opus, .pcmu, .pcma]
            var kind: AudioCodecKind
            var payloadType: UInt8
        }
        let cases = [
            Case(
                name: "opus first", mLine: "m=audio 4000 RTP/AVP 111 0 8",
                lines: ["a=rtpmap:111 opus/48000/2"], kind: .opus, payloadType: 111),
            Case(name: "PCMU-only desk phone", mLine: "m=audio 4000 RTP/AVP 0", lines: [], kind: .pcmu, payloadType: 0),
            Case(name: "PCMA first", mLine: "m=audio 4000 RTP/AVP 8 0", lines: [], kind: .pcma, payloadType: 8),
            Case(
                name: "offerer prefers G.711 over opus", mLine: "m=audio 4000 RTP/AVP 0 111",
                lines: ["a=rtpmap:111 opus/48000/2"], kind: .pcmu, payloadType: 0),
            Case(
                name: "dynamic PT 96 for opus", mLine: "m=audio 4000 RTP/AVP 96 8",
                lines: ["a=rtpmap:96 opus/48000/2"], kind: .opus, payloadType: 96),
            Case(
                name: "dynamic PT 109 and upper-case name", mLine: "m=audio 4000 RTP/AVP 109 0",
                lines: ["a=rtpmap:109 OPUS/48000/2"], kind: .opus, payloadType: 109),
            Case(
                name: "explicit rtpmap for static PT", mLine: "m=audio 4000 RTP/AVP 8",
                lines: ["a=rtpmap:8 pcma/8000"], kind: .pcma, payloadType: 8),
            Case(
                name: "unsupported codecs are skipped", mLine: "m=audio 4000 RTP/AVP 18 9 97 0",
                lines: ["a=rtpmap:97 iLBC/8000"], kind: .pcmu, payloadType: 0),
            Case(
                name: "opus at the wrong rate is not opus", mLine: "m=audio 4000 RTP/AVP 98 8",
                lines: ["a=rtpmap:98 opus/16000/1"], kind: .pcma, payloadType: 8),
            Case(
                name: "capabilities without opus", mLine: "m=audio 4000 RTP/AVP 111 8",
                lines: ["a=rtpmap:111 opus/48000/2"], capabilities: [.pcma], kind: .pcma, payloadType: 8),
        ]
        for testCase in cases {
            let (answer, audio) = try answerOffer(
                try offer(testCase.mLine, testCase.lines),
                capabilities: testCapabilities(codecs: testCase.capabilities)
            )
            XCTAssertEqual(audio.codec.kind, testCase.kind, testCase.name)
            XCTAssertEqual(audio.codec.payloadType, testCase.payloadType, testCase.name)
            XCTAssertEqual(audio.codec.clockRate, testCase.kind == .opus ? 48_000 : 8_000, testCase.name)
            XCTAssertEqual(audio.codec.channels, testCase.kind == .opus ? 2 : 1, testCase.name)
            XCTAssertEqual(audio.codec.opus != nil, testCase.kind == .opus, testCase.name)
            XCTAssertEqual(answer.media[0].formats, [String(testCase.payloadType)], testCase.name)
            XCTAssertTrue(
                answer.media[0].attributeLines.contains(
                    "rtpmap:\(testCase.payloadType) \(testCase.kind.rtpMap(payloadType: 0).encodingDescription)"),
                testCase.name)
        }
    }

    func testUnsupportedCodecsOnlyIs488WithWarning() throws {
        assertAnswerFails(
            try offer("m=audio 4000 RTP/AVP 18", ["a=rtpmap:18 G729/8000"]),
            status: 488,
            warningContains: "no common codec: Chorus supports opus/48000/2, PCMU/8000, PCMA/8000"
        )
    }

    func testAnswerShape() throws {
        let (answer, audio) = try answerOffer(
            try offer("m=audio 4000 RTP/AVP 111 0 101", ["a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1", "a=rtpmap:101 telephone-event/48000", "a=fmtp:101 0-15"])
        )
        XCTAssertEqual(answer.origin, SDPOrigin(username: "chorus", sessionID: 4_242, sessionVersion: 1, addressType: .ip4, address: "198.51.100.7"))
        XCTAssertEqual(answer.connection, SDPConnection(addressType: .ip4, address: "198.51.100.7"))
        let media = answer.media[0]
        XCTAssertEqual(media.port, 20_000)
        XCTAssertEqual(media.proto, "RTP/AVP")
        XCTAssertEqual(media.formats, ["111", "101"])
        XCTAssertEqual(
            media.attributeLines,
            ["rtpmap:111 opus/48000/2", "fmtp:111 minptime=10;useinbandfec=1", "rtpmap:101 telephone-event/48000", "fmtp:101 0-15", "ptime:20", "sendrecv"]
        )
        XCTAssertEqual(audio.telephoneEvent, TelephoneEventFormat(payloadType: 101, clockRate: 48_000))
        XCTAssertEqual(audio.codec.opus?.useInbandFEC, true)
        XCTAssertEqual(audio.remoteAddress, "192.0.2.20")
        XCTAssertEqual(audio.remoteRTPPort, 4_000)
        XCTAssertNil(audio.srtp)
        // The answer is valid SDP that parses back to itself.
        XCTAssertEqual(try SessionDescription(parsing: answer.serialized()), answer)
    }

    func testIPv6TransportAddress() throws {
        let transport = LocalTransport(address: "2001:db8::7", rtpPort: 30_000)
        let (answer, _) = try OfferAnswer.answer(
            to: try offer(), transport: transport, capabilities: testCapabilities(), session: testSession)
        XCTAssertTrue(answer.serialized().contains("c=IN IP6 2001:db8::7\r\n"))
        XCTAssertTrue(answer.serialized().contains("o=chorus 4242 1 IN IP6 2001:db8::7\r\n"))
    }

    func testTelephoneEventPrefersTheCodecsClockRate() throws {
        let lines = ["a=rtpmap:111 opus/48000/2", "a=rtpmap:100 telephone-event/8000", "a=rtpmap:101 telephone-event/48000"]
        let opus = try answerOffer(try offer("m=audio 4000 RTP/AVP 111 0 100 101", lines)).audio
        XCTAssertEqual(opus.telephoneEvent, TelephoneEventFormat(payloadType: 101, clockRate: 48_000))
        let pcmu = try answerOffer(try offer("m=audio 4000 RTP/AVP 0 111 100 101", lines)).audio
        XCTAssertEqual(pcmu.telephoneEvent, TelephoneEventFormat(payloadType: 100, clockRate: 8_000))
        // Only one offered: taken whatever its rate.
        let only8000 = try answerOffer(try offer("m=audio 4000 RTP/AVP 111 100", lines))
        XCTAssertEqual(only8000.audio.telephoneEvent, TelephoneEventFormat(payloadType: 100, clockRate: 8_000))
        XCTAssertEqual(only8000.answer.media[0].formats, ["111", "100"])
        // None offered.
        XCTAssertNil(try answerOffer(try offer("m=audio 4000 RTP/AVP 0")).audio.telephoneEvent)
    }

    func testOtherStreamsAreRejectedWithPortZero() throws {
        let description = try offer(
            "m=video 5000 RTP/AVP 96",
            ["a=rtpmap:96 H264/90000"],
            more: [
                "m=audio 0 RTP/AVP 0",
                "m=audio 4000 UDP/TLS/RTP/SAVPF 111",
                "m=audio 4002 RTP/AVP 8",
                "m=audio 4004 RTP/AVP 0",
                "m=application 6000 UDP/BFCP *",
            ]
        )
        let (answer, audio) = try answerOffer(description)
        XCTAssertEqual(answer.media.count, 6)
        XCTAssertEqual(answer.media.map(\.port), [0, 0, 0, 20_000, 0, 0])
        XCTAssertEqual(answer.media.map(\.media), ["video", "audio", "audio", "audio", "audio", "application"])
        XCTAssertEqual(answer.media.map(\.proto), ["RTP/AVP", "RTP/AVP", "UDP/TLS/RTP/SAVPF", "RTP/AVP", "RTP/AVP", "UDP/BFCP"])
        XCTAssertEqual(answer.media.map(\.formats), [["96"], ["0"], ["111"], ["8"], ["0"], ["*"]])
        XCTAssertEqual(audio.codec.kind, .pcma)
        XCTAssertEqual(audio.remoteRTPPort, 4_002)
    }

    func testStreamWithoutCommonCodecFallsThroughToTheNextAudioStream() throws {
        let description = try offer("m=audio 4000 RTP/AVP 18", [], more: ["m=audio 4002 RTP/AVP 0"])
        let (answer, audio) = try answerOffer(description)
        XCTAssertEqual(answer.media.map(\.port), [0, 20_000])
        XCTAssertEqual(audio.codec.kind, .pcmu)
    }

    func testNoAudioAtAllIs488() throws {
        assertAnswerFails(try offer("m=video 5000 RTP/AVP 96"), status: 488, warningContains: "no audio stream offered")
        assertAnswerFails(
            try offer("m=audio 5000 UDP/TLS/RTP/SAVPF 111"), status: 488, warningContains: "unsupported transport UDP/TLS/RTP/SAVPF")
    }

    func testPeerTextInWarningsIsSanitizedAndShort() throws {
        let proto = "RTP/\"X\\" + String(repeating: "Y", count: 100)
        assertAnswerFails(
            try offer("m=audio 5000 \(proto) 0"), status: 488,
            warningContains: "unsupported transport RTP/?X?" + String(repeating: "Y", count: 25) + "...")
    }

    func testMissingConnectionIs400() throws {
        assertAnswerFails(try offer(sessionConnection: nil), status: 400, warningContains: "SDP has no connection address")
        // A media-level c= is enough.
        let mediaLevel = try answerOffer(try offer("m=audio 4000 RTP/AVP 0", ["c=IN IP4 192.0.2.55"], sessionConnection: nil)).audio
        XCTAssertEqual(mediaLevel.remoteAddress, "192.0.2.55")
    }
}
