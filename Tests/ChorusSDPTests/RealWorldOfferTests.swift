import Foundation
import XCTest

@testable import ChorusSDP

/// Offers shaped like those of real clients (written for these tests, not captured).
final class RealWorldOfferTests: XCTestCase {
    func testBaresipOffer() throws {
        let text = """
            v=0
            o=- 1620395511 1620395512 IN IP4 192.168.1.50
            s=-
            c=IN IP4 192.168.1.50
            t=0 0
            m=audio 10004 RTP/AVP 96 0 8 101
            b=AS:128
            a=rtpmap:96 opus/48000/2
            a=fmtp:96 stereo=1;sprop-stereo=1
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-15
            a=sendrecv
            a=label:1
            a=rtcp-rsize
            a=ssrc:1284934561 cname:a1b2c3d4-e5f6
            a=ptime:20

            """
        let (answer, audio) = try answerOffer(try SessionDescription(parsing: text))
        XCTAssertEqual(audio.codec.kind, .opus)
        XCTAssertEqual(audio.codec.payloadType, 96)
        XCTAssertEqual(audio.codec.opus?.stereo, true)
        XCTAssertEqual(audio.telephoneEvent, TelephoneEventFormat(payloadType: 101, clockRate: 8_000))
        XCTAssertEqual(audio.remoteAddress, "192.168.1.50")
        XCTAssertEqual(audio.remoteRTPPort, 10_004)
        XCTAssertEqual(audio.remoteRTCPPort, 10_005)
        XCTAssertFalse(audio.rtcpMux)
        XCTAssertEqual(audio.sendPacketTime, 20)
        XCTAssertEqual(answer.media[0].formats, ["96", "101"])
        XCTAssertEqual(answer.media[0].direction(), .sendrecv)
    }

    func testLinphoneOfferWithBestEffortSRTPAndRTCPMux() throws {
        let text = """
            v=0
            o=alice 2371 1823 IN IP4 10.0.0.23
            s=Talk
            c=IN IP4 10.0.0.23
            t=0 0
            a=ice-pwd:31ec21eb38b2ec6d36e8dc7b
            a=ice-ufrag:cb3e1fd3
            a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics
            a=record:off
            m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100
            a=rtpmap:96 opus/48000/2
            a=fmtp:96 useinbandfec=1
            a=rtpmap:97 speex/16000
            a=fmtp:97 vbr=on
            a=rtpmap:98 speex/8000
            a=fmtp:98 vbr=on
            a=fmtp:18 annexb=yes
            a=rtpmap:101 telephone-event/48000
            a=rtpmap:99 telephone-event/16000
            a=rtpmap:100 telephone-event/8000
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30, byte: 0x01))
            a=crypto:2 AES_CM_128_HMAC_SHA1_32 \(inlineKey(30, byte: 0x02))
            a=crypto:3 AES_256_CM_HMAC_SHA1_80 \(inlineKey(46, byte: 0x03))
            a=rtcp-mux
            a=rtcp:7079
            a=candidate:1 1 UDP 2130706303 10.0.0.23 7078 typ host
            a=rtcp-fb:* trr-int 1000
            a=rtcp-fb:* ccm tmmbr
            m=video 9078 RTP/AVP 96 97
            a=rtpmap:96 VP8/90000
            a=rtpmap:97 H264/90000
            a=fmtp:97 profile-level-id=42801F

            """
        let (answer, audio) = try answerOffer(try SessionDescription(parsing: text))
        XCTAssertEqual(audio.codec.kind, .opus)
        XCTAssertEqual(audio.codec.payloadType, 96)
        XCTAssertEqual(audio.telephoneEvent, TelephoneEventFormat(payloadType: 101, clockRate: 48_000))
        XCTAssertTrue(audio.rtcpMux)
        XCTAssertNil(audio.remoteRTCPPort)
        XCTAssertEqual(audio.srtp?.suite, "AES_CM_128_HMAC_SHA1_80")
        XCTAssertEqual(audio.srtp?.localTag, 1)
        XCTAssertEqual(answer.media.count, 2)
        XCTAssertEqual(answer.media[0].proto, "RTP/AVP")
        XCTAssertEqual(answer.media[0].cryptos.map(\.tag), [1])
        XCTAssertTrue(answer.media[0].rtcpMux)
        XCTAssertEqual(answer.media[1].port, 0)
        XCTAssertEqual(answer.media[1].media, "video")
    }

    func testDeskPhoneOffer() throws {
        // Polycom/Yealink style: G.722 first, G.711 after, session-level c=, explicit static rtpmaps, odd session name.
        let text = """
            v=0
            o=- 1686915113 1686915113 IN IP4 172.16.5.101
            s=Polycom IP Phone
            c=IN IP4 172.16.5.101
            t=0 0
            a=sendrecv
            m=audio 2226 RTP/AVP 9 0 8 18 127
            a=rtpmap:9 G722/8000
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:18 G729/8000
            a=fmtp:18 annexb=no
            a=rtpmap:127 telephone-event/8000
            a=fmtp:127 0-15
            a=ptime:20

            """
        let (answer, audio) = try answerOffer(try SessionDescription(parsing: text))
        XCTAssertEqual(audio.codec.kind, .pcmu)
        XCTAssertEqual(audio.codec.payloadType, 0)
        XCTAssertNil(audio.codec.opus)
        XCTAssertEqual(audio.telephoneEvent, TelephoneEventFormat(payloadType: 127, clockRate: 8_000))
        XCTAssertEqual(audio.remoteRTCPPort, 2_227)
        XCTAssertEqual(
            answer.media[0].attributeLines,
            ["rtpmap:0 PCMU/8000", "rtpmap:127 telephone-event/8000", "fmtp:127 0-15", "ptime:20", "sendrecv"]
        )
        // The same phone putting the call on hold with a re-INVITE.
        let hold = try SessionDescription(parsing: text.replacingOccurrences(of: "a=sendrecv", with: "a=sendonly"))
        let held = try answerOffer(hold).audio
        XCTAssertEqual(held.localDirection, .recvonly)
        XCTAssertFalse(held.chorusSends)
        XCTAssertTrue(held.chorusReceives)
    }
}
