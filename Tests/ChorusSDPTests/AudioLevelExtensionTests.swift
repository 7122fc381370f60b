import XCTest

@testable import ChorusSDP

/// RFC 6464 client-to-mixer audio levels negotiated with `a=extmap` (RFC 8285): the mixer reads
/// them to leave silent participants undecoded.
final class AudioLevelExtensionTests: XCTestCase {
    private let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

    func testParsesIdentifierDirectionURIAndAttributes() {
        XCTAssertEqual(
            SDPExtensionMap(attributeValue: "1 \(audioLevel)"),
            SDPExtensionMap(id: 1, uri: audioLevel))
        XCTAssertEqual(
            SDPExtensionMap(attributeValue: "3/sendonly \(audioLevel) vad=on"),
            SDPExtensionMap(id: 3, direction: .sendonly, uri: audioLevel, extensionAttributes: "vad=on"))
        XCTAssertEqual(SDPExtensionMap(attributeValue: "200 urn:x")?.id, 200)
        for bad in ["", "1", "0 \(audioLevel)", "15 \(audioLevel)", "256 \(audioLevel)", "x \(audioLevel)", "1/sideways \(audioLevel)", "-1 urn:x"] {
            XCTAssertNil(SDPExtensionMap(attributeValue: bad), bad)
        }
        let map = SDPExtensionMap(id: 5, direction: .recvonly, uri: audioLevel, extensionAttributes: "vad=off")
        XCTAssertEqual(SDPExtensionMap(attributeValue: map.attributeValue), map)
    }

    func testAnswerEchoesTheOfferedAudioLevelIdentifier() throws {
        let offered = try offer(
            "m=audio 40000 RTP/AVP 111",
            ["a=rtpmap:111 opus/48000/2", "a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:mid", "a=extmap:7 \(audioLevel) vad=on"])
        let (answer, audio) = try answerOffer(offered)
        XCTAssertEqual(audio.audioLevelExtensionID, 7)
        XCTAssertEqual(answer.media[0].extensionMaps, [SDPExtensionMap(id: 7, uri: audioLevel)])
        // Serialized and read back, as the phone will.
        XCTAssertEqual(try SessionDescription(parsing: answer.serialized()).media[0].extensionMaps.map(\.id), [7])
    }

    func testNoExtensionWithoutAnOfferOrWhenThePeerDoesNotSendIt() throws {
        let plain = try answerOffer(try offer("m=audio 40000 RTP/AVP 0"))
        XCTAssertNil(plain.audio.audioLevelExtensionID)
        XCTAssertTrue(plain.answer.media[0].extensionMaps.isEmpty)
        // The offerer only receives levels: nothing will arrive.
        let receiveOnly = try answerOffer(try offer("m=audio 40000 RTP/AVP 0", ["a=extmap:1/recvonly \(audioLevel)"]))
        XCTAssertNil(receiveOnly.audio.audioLevelExtensionID)
        XCTAssertTrue(receiveOnly.answer.media[0].extensionMaps.isEmpty)
        // A phone on hold sends nothing Chorus would read.
        let held = try answerOffer(try offer("m=audio 40000 RTP/AVP 0", ["a=extmap:1 \(audioLevel)", "a=recvonly"]))
        XCTAssertNil(held.audio.audioLevelExtensionID)
    }

    func testChorusOffersLevelsAndTakesTheAnswerersIdentifier() throws {
        let (chorusOffer, pending) = OfferAnswer.makeOffer(
            transport: testTransport, capabilities: testCapabilities(srtpPolicy: .off), session: testSession)
        XCTAssertEqual(chorusOffer.media[0].extensionMaps, [SDPExtensionMap(id: 1, uri: audioLevel)])
        let peer = LocalTransport(address: "203.0.113.9", rtpPort: 6_000)
        let peerAnswer = try OfferAnswer.answer(
            to: chorusOffer, transport: peer, capabilities: LocalMediaCapabilities(codecs: [.opus], srtpPolicy: .off),
            session: SessionIdentity(username: "peer", sessionID: 9, version: 1)
        ).answer
        XCTAssertEqual(try OfferAnswer.acceptAnswer(peerAnswer, to: pending).audioLevelExtensionID, 1)
        // An answer without the attribute declines it.
        var declined = peerAnswer
        declined.media[0].attributes.removeAll { $0.name == "extmap" }
        XCTAssertNil(try OfferAnswer.acceptAnswer(declined, to: pending).audioLevelExtensionID)
    }
}
