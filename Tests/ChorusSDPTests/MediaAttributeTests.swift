import XCTest

@testable import ChorusSDP

final class MediaAttributeTests: XCTestCase {
    private func media(_ lines: [String], mLine: String = "m=audio 4000 RTP/AVP 96 0 8 9 18 101") throws -> MediaDescription {
        try offer(mLine, lines).media[0]
    }

    func testRTPMapFromAttributesAndStaticPayloadTypes() throws {
        let media = try self.media(["a=rtpmap:96 OPUS/48000/2", "a=rtpmap:101 telephone-event/8000"])
        XCTAssertEqual(media.rtpMap(for: 96), SDPRTPMap(payloadType: 96, encodingName: "OPUS", clockRate: 48_000, channels: 2))
        XCTAssertEqual(media.rtpMap(for: 0)?.encodingDescription, "PCMU/8000")
        XCTAssertEqual(media.rtpMap(for: 8)?.encodingDescription, "PCMA/8000")
        XCTAssertEqual(media.rtpMap(for: 9)?.encodingDescription, "G722/8000")
        XCTAssertEqual(media.rtpMap(for: 18)?.encodingDescription, "G729/8000")
        XCTAssertEqual(media.rtpMap(for: 101)?.encodingName, "telephone-event")
        XCTAssertNil(media.rtpMap(for: 97))
        XCTAssertEqual(media.payloadTypes, [96, 0, 8, 9, 18, 101])
        XCTAssertNil(SDPRTPMap(attributeValue: "96 opus"))
        XCTAssertNil(SDPRTPMap(attributeValue: "200 opus/48000"))
        XCTAssertNil(SDPRTPMap(attributeValue: "96 opus/fast/2"))
    }

    func testFormatParametersAreCaseInsensitive() throws {
        let media = try self.media(["a=fmtp:96 MinPTime=10; useinbandfec=1;stereo=0", "a=fmtp:101 0-16"])
        let opus = try XCTUnwrap(media.formatParameters(for: 96))
        XCTAssertEqual(opus["minptime"], "10")
        XCTAssertEqual(opus["USEINBANDFEC"], "1")
        XCTAssertEqual(opus.dictionary, ["minptime": "10", "useinbandfec": "1", "stereo": "0"])
        XCTAssertEqual(media.formatParameters(for: 101)?.text, "0-16")
        XCTAssertEqual(media.formatParameters(for: 101)?.parameters, [.init(key: "0-16", value: "")])
        XCTAssertNil(media.formatParameters(for: 0))
    }

    func testDirectionRTCPAndPacketTimes() throws {
        let media = try self.media(["a=sendonly", "a=rtcp-mux", "a=rtcp:4001 IN IP4 192.0.2.99", "a=ptime:20.0", "a=maxptime:40"])
        XCTAssertEqual(media.direction(), .sendonly)
        XCTAssertTrue(media.rtcpMux)
        XCTAssertEqual(media.rtcp, SDPRTCPAttribute(port: 4_001, address: "192.0.2.99"))
        XCTAssertEqual(media.ptime, 20)
        XCTAssertEqual(media.maxptime, 40)
        let plain = try self.media([])
        XCTAssertEqual(plain.direction(), .sendrecv)
        XCTAssertEqual(plain.direction(sessionDefault: .inactive), .inactive)
        XCTAssertFalse(plain.rtcpMux)
        XCTAssertNil(plain.rtcp)
        XCTAssertNil(plain.ptime)
    }

    func testDirectionReversal() {
        XCTAssertEqual(MediaDirection.sendrecv.reversed, .sendrecv)
        XCTAssertEqual(MediaDirection.sendonly.reversed, .recvonly)
        XCTAssertEqual(MediaDirection.recvonly.reversed, .sendonly)
        XCTAssertEqual(MediaDirection.inactive.reversed, .inactive)
    }

    func testCryptoAttributeParsingAndSerialization() throws {
        let value = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32"
        let crypto = try XCTUnwrap(SDPCryptoAttribute(attributeValue: value))
        XCTAssertEqual(crypto.tag, 1)
        XCTAssertEqual(crypto.suite, "AES_CM_128_HMAC_SHA1_80")
        XCTAssertEqual(
            crypto.keyParameters,
            [.init(method: "inline", keySalt: "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", lifetime: "2^20", mki: "1:32")]
        )
        XCTAssertEqual(crypto.keyParameters[0].decodedKeySalt?.count, 30)
        XCTAssertEqual(crypto.attributeValue, value)

        let mkiOnly = try XCTUnwrap(SDPCryptoAttribute(attributeValue: "2 AES_CM_128_HMAC_SHA1_32 inline:abcd|1:4 UNENCRYPTED_SRTP KDR=1"))
        XCTAssertNil(mkiOnly.keyParameters[0].lifetime)
        XCTAssertEqual(mkiOnly.keyParameters[0].mki, "1:4")
        XCTAssertEqual(mkiOnly.sessionParameters, ["UNENCRYPTED_SRTP", "KDR=1"])

        let twoKeys = try XCTUnwrap(SDPCryptoAttribute(attributeValue: "3 AES_CM_128_HMAC_SHA1_80 inline:aaaa|2^20|1:4;inline:bbbb|2^20|2:4"))
        XCTAssertEqual(twoKeys.keyParameters.map(\.keySalt), ["aaaa", "bbbb"])

        for bad in ["", "1", "1 AES_CM_128_HMAC_SHA1_80", "x AES inline:abcd", "1 AES inline", "1 AES inline:", "1 AES inline:a|b|c|d"] {
            XCTAssertNil(SDPCryptoAttribute(attributeValue: bad), bad)
        }
    }

    func testOpusParametersFromFormatParameters() {
        let parameters = OpusParameters(
            formatParameters: SDPFormatParameters(
                text: "maxplaybackrate=16000;sprop-maxcapturerate=24000;stereo=1;sprop-stereo=1;useinbandfec=1;usedtx=1;maxaveragebitrate=32000"
            )
        )
        XCTAssertEqual(
            parameters,
            OpusParameters(
                maxPlaybackRate: 16_000,
                spropMaxCaptureRate: 24_000,
                stereo: true,
                spropStereo: true,
                useInbandFEC: true,
                useDTX: true,
                maxAverageBitrate: 32_000
            )
        )
        XCTAssertEqual(OpusParameters(formatParameters: nil), OpusParameters())
        let outOfRange = OpusParameters(
            formatParameters: SDPFormatParameters(text: "MAXPLAYBACKRATE=4000; maxaveragebitrate=999999; stereo=0; useinbandfec=yes; ptime=40")
        )
        XCTAssertNil(outOfRange.maxPlaybackRate)
        XCTAssertNil(outOfRange.maxAverageBitrate)
        XCTAssertFalse(outOfRange.stereo)
        XCTAssertFalse(outOfRange.useInbandFEC)
        XCTAssertEqual(outOfRange.ptime, 40)
    }

    func testKeyingMaterialLengths() {
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AES_CM_128_HMAC_SHA1_80"), 30)
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AES_CM_128_HMAC_SHA1_32"), 30)
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AEAD_AES_128_GCM"), 28)
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AEAD_AES_256_GCM"), 44)
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AES_256_CM_HMAC_SHA1_80"), 46)
        XCTAssertEqual(SDESKeys.keyingMaterialLength(forSuite: "AES_256_CM_HMAC_SHA1_32"), 46)
        XCTAssertNil(SDESKeys.keyingMaterialLength(forSuite: "F8_128_HMAC_SHA1_80"))
    }
}
