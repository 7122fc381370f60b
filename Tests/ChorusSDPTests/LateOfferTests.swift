import XCTest

@testable import ChorusSDP

final class LateOfferTests: XCTestCase {
    private func makeOffer(
        _ policy: SRTPPolicy = .optional,
        codecs: [AudioCodecKind] = [.opus, .pcmu, .pcma],
        direction: MediaDirection = .sendrecv
    ) -> (offer: SessionDescription, pending: PendingOffer) {
        OfferAnswer.makeOffer(
            transport: testTransport,
            capabilities: testCapabilities(codecs: codecs, srtpPolicy: policy),
            session: testSession,
            direction: direction
        )
    }

    func testOfferShape() throws {
        let (offer, _) = self.makeOffer(.off)
        XCTAssertEqual(offer.media.count, 1)
        let media = offer.media[0]
        XCTAssertEqual(media.proto, "RTP/AVP")
        XCTAssertEqual(media.port, 20_000)
        XCTAssertEqual(media.formats, ["111", "0", "8", "101"])
        XCTAssertEqual(
            media.attributeLines,
            [
                "rtpmap:111 opus/48000/2", "fmtp:111 minptime=10;useinbandfec=1", "rtpmap:0 PCMU/8000", "rtpmap:8 PCMA/8000",
                "rtpmap:101 telephone-event/8000", "fmtp:101 0-16", "extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "ptime:20", "rtcp-mux", "sendrecv",
            ]
        )
        XCTAssertEqual(try SessionDescription(parsing: offer.serialized()), offer)
        XCTAssertEqual(self.makeOffer(.off, codecs: [.pcma, .opus]).offer.media[0].formats, ["8", "111", "101"])
        XCTAssertEqual(self.makeOffer(.off, direction: .sendonly).offer.media[0].direction(), .sendonly)
    }

    func testOfferNamesASeparateRTCPPortForPeersThatDoNotMultiplex() throws {
        let transport = LocalTransport(address: "198.51.100.7", rtpPort: 20_000, rtcpPort: 20_500)
        let (offer, pending) = OfferAnswer.makeOffer(
            transport: transport, capabilities: testCapabilities(srtpPolicy: .off), session: testSession)
        XCTAssertTrue(offer.media[0].rtcpMux)
        XCTAssertEqual(offer.media[0].rtcp, SDPRTCPAttribute(port: 20_500))
        // The peer declines multiplexing: both sides keep separate RTCP ports.
        var answer = try self.peerAnswer(to: offer)
        answer.media[0].attributes.removeAll { $0.name == "rtcp-mux" }
        let audio = try OfferAnswer.acceptAnswer(answer, to: pending)
        XCTAssertFalse(audio.rtcpMux)
        XCTAssertEqual(audio.remoteRTCPPort, 6_001)
        XCTAssertEqual(audio.remoteRTCPAddress, "203.0.113.9")
    }

    func testOfferSRTPByPolicy() {
        let required = self.makeOffer(.required).offer.media[0]
        XCTAssertEqual(required.proto, "RTP/SAVP")
        XCTAssertEqual(required.cryptos.map(\.tag), [1, 2, 3, 4])
        XCTAssertEqual(required.cryptos.map(\.suite), LocalMediaCapabilities.defaultCryptoSuites)
        XCTAssertEqual(required.cryptos.map { $0.keyParameters[0].decodedKeySalt?.count }, [30, 30, 28, 44])
        let optional = self.makeOffer(.optional).offer.media[0]
        XCTAssertEqual(optional.proto, "RTP/AVP")
        XCTAssertEqual(optional.cryptos.count, 4)
        XCTAssertTrue(self.makeOffer(.off).offer.media[0].cryptos.isEmpty)
    }

    /// Answers Chorus's offer the way a peer would, using OfferAnswer itself as the peer.
    private func peerAnswer(
        to offer: SessionDescription,
        peerCapabilities: LocalMediaCapabilities = LocalMediaCapabilities(codecs: [.pcmu, .pcma])
    ) throws -> SessionDescription {
        let peer = LocalTransport(address: "203.0.113.9", rtpPort: 6_000)
        return try OfferAnswer.answer(
            to: offer, transport: peer, capabilities: peerCapabilities, session: SessionIdentity(username: "peer", sessionID: 9, version: 1)
        ).answer
    }

    func testRoundTripWithPlainRTP() throws {
        let (offer, pending) = self.makeOffer(.off)
        let answer = try self.peerAnswer(to: offer, peerCapabilities: LocalMediaCapabilities(codecs: [.pcma, .pcmu], srtpPolicy: .off))
        let audio = try OfferAnswer.acceptAnswer(answer, to: pending)
        XCTAssertEqual(audio.codec.kind, .pcmu)  // the offerer's order wins: PCMU before PCMA
        XCTAssertEqual(audio.codec.payloadType, 0)
        XCTAssertEqual(audio.telephoneEvent, TelephoneEventFormat(payloadType: 101, clockRate: 8_000))
        XCTAssertEqual(audio.remoteAddress, "203.0.113.9")
        XCTAssertEqual(audio.remoteRTPPort, 6_000)
        XCTAssertTrue(audio.rtcpMux)
        XCTAssertEqual(audio.localDirection, .sendrecv)
        XCTAssertTrue(audio.chorusSends)
        XCTAssertTrue(audio.chorusReceives)
        XCTAssertNil(audio.srtp)
    }

    func testRoundTripWithSRTP() throws {
        let (offer, pending) = self.makeOffer(.required)
        let peer = LocalMediaCapabilities(codecs: [.opus], srtpPolicy: .required, cryptoSuites: ["AEAD_AES_128_GCM"])
        let answer = try self.peerAnswer(to: offer, peerCapabilities: peer)
        let audio = try OfferAnswer.acceptAnswer(answer, to: pending)
        XCTAssertEqual(audio.codec.kind, .opus)
        XCTAssertEqual(audio.codec.payloadType, 111)
        XCTAssertEqual(audio.codec.opus?.useInbandFEC, true)
        let keys = try XCTUnwrap(audio.srtp)
        XCTAssertEqual(keys.suite, "AEAD_AES_128_GCM")
        XCTAssertEqual(keys.localTag, 3)
        XCTAssertEqual(keys.remoteKeyingMaterial, answer.media[0].cryptos[0].keyParameters[0].decodedKeySalt)
        let offered = offer.media[0].cryptos.first { $0.tag == 3 }
        XCTAssertEqual(keys.localKeyingMaterial, offered?.keyParameters[0].decodedKeySalt)
    }

    func testAnswersThatDoNotFitTheOfferAreRefused() throws {
        let (offer, pending) = self.makeOffer(.optional)
        let good = try self.peerAnswer(to: offer)
        XCTAssertNoThrow(try OfferAnswer.acceptAnswer(good, to: pending))

        func assertRefused(_ edit: (inout SessionDescription) -> Void, _ status: Int, _ text: String, line: UInt = #line) {
            var answer = good
            edit(&answer)
            XCTAssertThrowsError(try OfferAnswer.acceptAnswer(answer, to: pending), line: line) { error in
                let failure = error as? NegotiationFailure
                XCTAssertEqual(failure?.statusCode, status, line: line)
                XCTAssertTrue(failure?.warning.contains(text) ?? false, "\(error)", line: line)
            }
        }
        assertRefused({ $0.media[0].formats = ["9"] }, 488, "no codec Chorus offered")
        assertRefused({ $0.media[0].formats = ["111"]; $0.media[0].attributes = [SDPAttribute(name: "rtpmap", value: "111 G7221/16000")] }, 488, "no codec Chorus offered")
        assertRefused({ $0.media[0].port = 0 }, 488, "rejected")
        assertRefused({ $0.media[0].proto = "RTP/SAVP" }, 488, "transport")
        assertRefused({ $0.media.append($0.media[0]) }, 400, "media sections")
        assertRefused({ $0.connection = nil }, 400, "SDP has no connection address")
        assertRefused(
            { answer in
                answer.media[0].attributes.removeAll { $0.name == "crypto" }
                answer.media[0].attributes.append(SDPAttribute(name: "crypto", value: "9 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30))"))
            }, 488, "crypto")
        assertRefused(
            { answer in
                answer.media[0].attributes.removeAll { $0.name == "crypto" }
                answer.media[0].attributes.append(SDPAttribute(name: "crypto", value: "1 AES_CM_128_HMAC_SHA1_32 \(inlineKey(30))"))
            }, 488, "crypto")
    }

    func testRequiredPolicyRefusesAnAnswerWithoutKeys() throws {
        let (offer, pending) = self.makeOffer(.required)
        var answer = try self.peerAnswer(to: offer)
        answer.media[0].attributes.removeAll { $0.name == "crypto" }
        XCTAssertThrowsError(try OfferAnswer.acceptAnswer(answer, to: pending)) { error in
            XCTAssertEqual(error as? NegotiationFailure, NegotiationFailure(statusCode: 488, warning: "SRTP required"))
        }
        // Optional policy: an answer without keys means plain RTP.
        let optional = self.makeOffer(.optional)
        var plain = try self.peerAnswer(to: optional.offer)
        plain.media[0].attributes.removeAll { $0.name == "crypto" }
        XCTAssertNil(try OfferAnswer.acceptAnswer(plain, to: optional.pending).srtp)
    }

    func testHoldOfferAnsweredRecvonly() throws {
        let (offer, pending) = self.makeOffer(.off, direction: .sendonly)
        let answer = try self.peerAnswer(to: offer, peerCapabilities: LocalMediaCapabilities(srtpPolicy: .off))
        XCTAssertEqual(answer.media[0].direction(), .recvonly)
        let audio = try OfferAnswer.acceptAnswer(answer, to: pending)
        XCTAssertEqual(audio.remoteDirection, .recvonly)
        XCTAssertTrue(audio.chorusSends)
        XCTAssertFalse(audio.chorusReceives)
    }
}
