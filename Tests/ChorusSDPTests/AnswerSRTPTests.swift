import Foundation
import XCTest

@testable import ChorusSDP

final class AnswerSRTPTests: XCTestCase {
    private let aes80 = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30))"

    func testFirstSupportedSuiteInOfferOrderIsChosen() throws {
        let lines = [
            "a=crypto:1 F8_128_HMAC_SHA1_80 \(inlineKey(30))",
            "a=crypto:2 AEAD_AES_256_GCM \(inlineKey(44, byte: 0x33))",
            "a=crypto:3 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30))",
        ]
        let (answer, audio) = try answerOffer(try offer("m=audio 4000 RTP/SAVP 0", lines))
        let keys = try XCTUnwrap(audio.srtp)
        XCTAssertEqual(keys.suite, "AEAD_AES_256_GCM")
        XCTAssertEqual(keys.localTag, 2)
        XCTAssertEqual(keys.remoteKeyingMaterial, [UInt8](repeating: 0x33, count: 44))
        XCTAssertEqual(keys.localKeyingMaterial, countingBytes(44))
        XCTAssertEqual(answer.media[0].proto, "RTP/SAVP")
        let answered = answer.media[0].cryptos
        XCTAssertEqual(answered.count, 1)
        XCTAssertEqual(answered[0].tag, 2)
        XCTAssertEqual(answered[0].suite, "AEAD_AES_256_GCM")
        XCTAssertEqual(answered[0].keyParameters[0].method, "inline")
        XCTAssertEqual(answered[0].keyParameters[0].decodedKeySalt, keys.localKeyingMaterial)
    }

    func testChorusSuitePreferenceListLimitsTheChoice() throws {
        let lines = ["a=crypto:1 AEAD_AES_128_GCM \(inlineKey(28))", "a=crypto:2 AES_CM_128_HMAC_SHA1_32 \(inlineKey(30))"]
        let audio = try answerOffer(
            try offer("m=audio 4000 RTP/SAVP 0", lines),
            capabilities: testCapabilities(cryptoSuites: ["AES_CM_128_HMAC_SHA1_32"])
        ).audio
        XCTAssertEqual(audio.srtp?.suite, "AES_CM_128_HMAC_SHA1_32")
        XCTAssertEqual(audio.srtp?.localTag, 2)
    }

    func testUnusableCryptoLinesAreSkipped() throws {
        let lines = [
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 \(inlineKey(29))",  // wrong length
            "a=crypto:2 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30))|2^20|1:4",  // MKI
            "a=crypto:3 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30)) UNENCRYPTED_SRTP",  // session parameter
            "a=crypto:4 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30));\(inlineKey(30))",  // several keys
            "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:not*base64*at*all*not*base64*at*all*",  // bad base64
            "a=crypto:6 AES_CM_128_HMAC_SHA1_80 \(inlineKey(30, byte: 0x77))|2^31",  // fine, with a lifetime
        ]
        let audio = try answerOffer(try offer("m=audio 4000 RTP/SAVP 0", lines)).audio
        XCTAssertEqual(audio.srtp?.localTag, 6)
        XCTAssertEqual(audio.srtp?.remoteKeyingMaterial, [UInt8](repeating: 0x77, count: 30))
        assertAnswerFails(
            try offer("m=audio 4000 RTP/SAVP 0", Array(lines.dropLast())), status: 488, warningContains: "no supported crypto suite")
    }

    func testAnswerKeyIsFreshWithSystemRandomness() throws {
        let capabilities = LocalMediaCapabilities()
        let (answer, audio) = try OfferAnswer.answer(
            to: try offer("m=audio 4000 RTP/SAVP 0", [self.aes80]), transport: testTransport, capabilities: capabilities, session: testSession)
        let keys = try XCTUnwrap(audio.srtp)
        XCTAssertEqual(keys.localKeyingMaterial.count, 30)
        XCTAssertNotEqual(keys.localKeyingMaterial, keys.remoteKeyingMaterial)
        XCTAssertFalse(answer.serialized().contains(inlineKey(30)))
        let again = try OfferAnswer.answer(
            to: try offer("m=audio 4000 RTP/SAVP 0", [self.aes80]), transport: testTransport, capabilities: capabilities, session: testSession)
        XCTAssertNotEqual(again.audio.srtp?.localKeyingMaterial, keys.localKeyingMaterial)
        XCTAssertFalse(String(describing: keys).contains("\(keys.localKeyingMaterial)"))
    }

    func testAnswerNeverEchoesTheRemoteKey() throws {
        // A generator that first returns the peer's own key must not get it into the answer.
        let remote = countingBytes(30)
        let offerWithCountingKey = try offer("m=audio 4000 RTP/SAVP 0", ["a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(Base64.encode(remote))"])
        let calls = Counter()
        let capabilities = LocalMediaCapabilities(randomBytes: { count in
            calls.increment() == 0 ? countingBytes(count) : [UInt8](repeating: 0x42, count: count)
        })
        let audio = try OfferAnswer.answer(to: offerWithCountingKey, transport: testTransport, capabilities: capabilities, session: testSession).audio
        XCTAssertEqual(audio.srtp?.localKeyingMaterial, [UInt8](repeating: 0x42, count: 30))
    }

    func testPolicyMatrix() throws {
        let savp = try offer("m=audio 4000 RTP/SAVP 0", [self.aes80])
        let savpWithoutCrypto = try offer("m=audio 4000 RTP/SAVP 0")
        let avpWithCrypto = try offer("m=audio 4000 RTP/AVP 0", [self.aes80])
        let avp = try offer("m=audio 4000 RTP/AVP 0")

        // off
        let off = testCapabilities(srtpPolicy: .off)
        assertAnswerFails(savp, capabilities: off, status: 488, warningContains: "SRTP is disabled")
        let offBestEffort = try answerOffer(avpWithCrypto, capabilities: off)
        XCTAssertNil(offBestEffort.audio.srtp)
        XCTAssertTrue(offBestEffort.answer.media[0].cryptos.isEmpty)
        XCTAssertNil(try answerOffer(avp, capabilities: off).audio.srtp)

        // optional
        let optional = testCapabilities(srtpPolicy: .optional)
        XCTAssertNotNil(try answerOffer(savp, capabilities: optional).audio.srtp)
        assertAnswerFails(savpWithoutCrypto, capabilities: optional, status: 488, warningContains: "no supported crypto suite")
        let bestEffort = try answerOffer(avpWithCrypto, capabilities: optional)
        XCTAssertEqual(bestEffort.audio.srtp?.suite, "AES_CM_128_HMAC_SHA1_80")
        XCTAssertEqual(bestEffort.answer.media[0].proto, "RTP/AVP")
        XCTAssertEqual(bestEffort.answer.media[0].cryptos.map(\.tag), [1])
        let plain = try answerOffer(avp, capabilities: optional)
        XCTAssertNil(plain.audio.srtp)
        XCTAssertTrue(plain.answer.media[0].cryptos.isEmpty)

        // required
        let required = testCapabilities(srtpPolicy: .required)
        XCTAssertNotNil(try answerOffer(savp, capabilities: required).audio.srtp)
        XCTAssertNotNil(try answerOffer(avpWithCrypto, capabilities: required).audio.srtp)
        assertAnswerFails(avp, capabilities: required, status: 488, warningContains: "SRTP required")
        assertAnswerFails(savpWithoutCrypto, capabilities: required, status: 488, warningContains: "no supported crypto suite")
    }

    func testDisabledSRTPFallsBackToALaterPlainStream() throws {
        let description = try offer("m=audio 4000 RTP/SAVP 0", [self.aes80], more: ["m=audio 4002 RTP/AVP 0"])
        let (answer, audio) = try answerOffer(description, capabilities: testCapabilities(srtpPolicy: .off))
        XCTAssertEqual(answer.media.map(\.port), [0, 20_000])
        XCTAssertEqual(audio.remoteRTPPort, 4_002)
        XCTAssertNil(audio.srtp)
    }

    func testSAVPFIsAnsweredInKind() throws {
        let (answer, audio) = try answerOffer(try offer("m=audio 4000 RTP/SAVPF 0", [self.aes80, "a=rtcp-mux"]))
        XCTAssertEqual(answer.media[0].proto, "RTP/SAVPF")
        XCTAssertNotNil(audio.srtp)
        XCTAssertTrue(audio.rtcpMux)
    }
}

/// A thread-safe call counter for `@Sendable` closures.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    /// Returns the count before this call.
    func increment() -> Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.value += 1
        return self.value - 1
    }
}
