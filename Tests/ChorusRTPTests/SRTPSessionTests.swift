import XCTest
@testable import ChorusRTP

final class SRTPSessionTests: XCTestCase {
    private func key(_ suite: SRTPCryptoSuite, seed: UInt8 = 1) -> [UInt8] {
        (0..<suite.keyingMaterialLength).map { UInt8(truncatingIfNeeded: Int($0) &* 31 &+ Int(seed)) }
    }

    /// A 12-byte RTP header (V=2, PT 111) and a payload.
    private func rtp(sequence: UInt16, ssrc: UInt32 = 0x1234_5678, payload: [UInt8] = Array(0..<80)) -> [UInt8] {
        let timestamp = UInt32(sequence) &* 960
        return [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
            + withUnsafeBytes(of: timestamp.bigEndian, Array.init)
            + withUnsafeBytes(of: ssrc.bigEndian, Array.init) + payload
    }

    /// An RTCP receiver report with one report block.
    private func rtcp(ssrc: UInt32 = 0x1234_5678) -> [UInt8] {
        [0x81, 201, 0x00, 0x07] + withUnsafeBytes(of: ssrc.bigEndian, Array.init) + Array(repeating: 0xAB, count: 24)
    }

    private func pair(_ suite: SRTPCryptoSuite) throws -> (SRTPSession, SRTPSession) {
        (
            try SRTPSession(suite: suite, keyingMaterial: key(suite), direction: .outbound),
            try SRTPSession(suite: suite, keyingMaterial: key(suite), direction: .inbound)
        )
    }

    func testSuiteNamesAndLengths() {
        XCTAssertEqual(SRTPCryptoSuite(sdesName: "AES_CM_128_HMAC_SHA1_80"), .aesCM128HMACSHA1_80)
        XCTAssertEqual(SRTPCryptoSuite(sdesName: "AEAD_AES_256_GCM"), .aeadAES256GCM)
        XCTAssertNil(SRTPCryptoSuite(sdesName: "aes_cm_128_hmac_sha1_80"))
        XCTAssertEqual(SRTPCryptoSuite.allCases.map(\.keyingMaterialLength), [30, 30, 28, 44])
    }

    func testRoundTripEverySuite() throws {
        for suite in SRTPCryptoSuite.allCases {
            let (sender, receiver) = try pair(suite)
            for sequence: UInt16 in 1...20 {
                let plain = rtp(sequence: sequence)
                var packet = plain
                try sender.protect(rtp: &packet)
                XCTAssertEqual(packet.count, plain.count + suite.rtpOverhead, "\(suite)")
                XCTAssertEqual(Array(packet[0..<12]), Array(plain[0..<12]), "header stays clear")
                XCTAssertNotEqual(Array(packet[12..<plain.count]), Array(plain[12...]), "payload is encrypted")
                try receiver.unprotect(srtp: &packet)
                XCTAssertEqual(packet, plain, "\(suite)")
            }
        }
    }

    func testRTCPRoundTripEverySuite() throws {
        for suite in SRTPCryptoSuite.allCases {
            let (sender, receiver) = try pair(suite)
            for _ in 0..<3 {
                let plain = rtcp()
                var packet = plain
                try sender.protectRTCP(&packet)
                XCTAssertGreaterThan(packet.count, plain.count + 4, "\(suite)")  // E+index, tag
                try receiver.unprotectRTCP(&packet)
                XCTAssertEqual(packet, plain, "\(suite)")
            }
        }
    }

    func testTamperedPacketFailsAuthentication() throws {
        for suite in SRTPCryptoSuite.allCases {
            let (sender, receiver) = try pair(suite)
            var packet = rtp(sequence: 7)
            try sender.protect(rtp: &packet)
            packet[40] ^= 0x01
            let before = packet
            XCTAssertThrowsError(try receiver.unprotect(srtp: &packet), "\(suite)") { error in
                XCTAssertEqual(error as? SRTPError, .authenticationFailed, "\(suite)")
            }
            XCTAssertEqual(packet, before, "a failed unprotect leaves the packet alone")

            var control = rtcp()
            try sender.protectRTCP(&control)
            control[10] ^= 0x80
            XCTAssertThrowsError(try receiver.unprotectRTCP(&control)) { error in
                XCTAssertEqual(error as? SRTPError, .authenticationFailed, "\(suite)")
            }
        }
    }

    func testReplayIsRejected() throws {
        for suite in SRTPCryptoSuite.allCases {
            let (sender, receiver) = try pair(suite)
            var packet = rtp(sequence: 100)
            try sender.protect(rtp: &packet)
            var copy = packet
            try receiver.unprotect(srtp: &packet)
            XCTAssertThrowsError(try receiver.unprotect(srtp: &copy), "\(suite)") { error in
                XCTAssertEqual(error as? SRTPError, .replay, "\(suite)")
            }
            var control = rtcp()
            try sender.protectRTCP(&control)
            let controlCopy = control
            try receiver.unprotectRTCP(&control)
            var again = controlCopy
            XCTAssertThrowsError(try receiver.unprotectRTCP(&again)) { error in
                XCTAssertEqual(error as? SRTPError, .replay, "\(suite)")
            }
        }
    }

    func testWrongKeyFailsAuthentication() throws {
        for suite in SRTPCryptoSuite.allCases {
            let sender = try SRTPSession(suite: suite, keyingMaterial: key(suite, seed: 1), direction: .outbound)
            let receiver = try SRTPSession(suite: suite, keyingMaterial: key(suite, seed: 2), direction: .inbound)
            var packet = rtp(sequence: 1)
            try sender.protect(rtp: &packet)
            XCTAssertThrowsError(try receiver.unprotect(srtp: &packet)) { error in
                XCTAssertEqual(error as? SRTPError, .authenticationFailed, "\(suite)")
            }
        }
    }

    func testBadInputs() throws {
        XCTAssertThrowsError(
            try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: [1, 2, 3], direction: .outbound)
        ) { error in
            XCTAssertEqual(error as? SRTPError, .wrongKeyLength(expected: 30, actual: 3))
        }
        let (sender, receiver) = try pair(.aesCM128HMACSHA1_80)
        var short: [UInt8] = [0x80, 0, 0]
        XCTAssertThrowsError(try sender.protect(rtp: &short)) { error in
            XCTAssertEqual(error as? SRTPError, .invalidPacketLength(3))
        }
        XCTAssertThrowsError(try receiver.unprotect(srtp: &short))
        var packet = rtp(sequence: 1)
        XCTAssertThrowsError(try receiver.protect(rtp: &packet)) { error in
            XCTAssertEqual(error as? SRTPError, .wrongDirection)
        }
        XCTAssertThrowsError(try sender.unprotect(srtp: &packet)) { error in
            XCTAssertEqual(error as? SRTPError, .wrongDirection)
        }
        // A buffer without trailer room is refused rather than overrun.
        var exact = rtp(sequence: 2)
        let count = exact.count
        XCTAssertThrowsError(
            try exact.withUnsafeMutableBytes { try sender.protect(rtp: $0, length: count) })
        // Random garbage into unprotect: errors, never a crash.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var junk = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) {
                _ = try? receiver.unprotect(srtp: &junk)
            } else {
                _ = try? receiver.unprotectRTCP(&junk)
            }
        }
    }

    func testBufferAPIInPlace() throws {
        let (sender, receiver) = try pair(.aeadAES128GCM)
        let plain = rtp(sequence: 9)
        var buffer = plain + [UInt8](repeating: 0, count: SRTPSession.maxTrailerLength)
        let protectedLength = try buffer.withUnsafeMutableBytes { try sender.protect(rtp: $0, length: plain.count) }
        XCTAssertEqual(protectedLength, plain.count + 16)
        let plainLength = try buffer.withUnsafeMutableBytes { try receiver.unprotect(srtp: $0, length: protectedLength) }
        XCTAssertEqual(Array(buffer[0..<plainLength]), plain)
    }
}

/// Chorus runs libsrtp2's AES-CM and HMAC-SHA1 on OpenSSL (`CSRTPOpenSSL`). These packets were
/// protected by libsrtp2's own crypto (Debian's, on NSS: `CHORUS_SRTP_CRYPTO=libsrtp2`), a
/// separate implementation, from the same keys and plain packets: whatever runs now must write
/// the same bytes and read them back.
final class SRTPKnownAnswerTests: XCTestCase {
    private let keyingMaterial: [UInt8] = (0..<30).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    private let plainRTP: [UInt8] = [0x80, 111, 0x12, 0x34, 0x00, 0x01, 0xE2, 0x40, 0xCA, 0xFE, 0xBA, 0xBE]
        + (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 13) }
    private let plainRTCP: [UInt8] = [0x80, 200, 0x00, 0x06, 0xCA, 0xFE, 0xBA, 0xBE]
        + (0..<20).map { UInt8(truncatingIfNeeded: $0 &* 5 &+ 1) }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func check(_ suite: SRTPCryptoSuite, rtp expectedRTP: String, rtcp expectedRTCP: String) throws {
        let sender = try SRTPSession(suite: suite, keyingMaterial: keyingMaterial, direction: .outbound)
        let receiver = try SRTPSession(suite: suite, keyingMaterial: keyingMaterial, direction: .inbound)
        var rtp = plainRTP
        try sender.protect(rtp: &rtp)
        var rtcp = plainRTCP
        try sender.protectRTCP(&rtcp)
        XCTAssertEqual(hex(rtp), expectedRTP, "\(suite) SRTP under \(SRTPSession.cryptoImplementation)")
        XCTAssertEqual(hex(rtcp), expectedRTCP, "\(suite) SRTCP under \(SRTPSession.cryptoImplementation)")
        try receiver.unprotect(srtp: &rtp)
        try receiver.unprotectRTCP(&rtcp)
        XCTAssertEqual(rtp, plainRTP)
        XCTAssertEqual(rtcp, plainRTCP)
    }

    func testAESCM80MatchesLibsrtp2sOwnCrypto() throws {
        try check(
            .aesCM128HMACSHA1_80,
            rtp: "806f12340001e240cafebabeb0d19a29170d9a13db48a00bc9d7b10f1faa4aeb1a7495a75568bd50aea721501e0fc77f"
                + "828b3a51a60892a73eb05a42e2f1960c076248950bfe46733ad33571c1f06e14ec3bdba07e0b8c8f730d42841fee50f0"
                + "75756b823888bbf2f4016f4d3876321a4ef556d90b16a62e20f6",
            rtcp: "80c80006cafebabe364d546d9969abe3cc708ac8c83c1deb13640cb880000001fd409c0d3ede5c61fd34")
    }

    func testAESCM32MatchesLibsrtp2sOwnCrypto() throws {
        // The same keystream; a 4-byte tag on SRTP, SRTCP's tag stays 10 bytes.
        try check(
            .aesCM128HMACSHA1_32,
            rtp: "806f12340001e240cafebabeb0d19a29170d9a13db48a00bc9d7b10f1faa4aeb1a7495a75568bd50aea721501e0fc77f"
                + "828b3a51a60892a73eb05a42e2f1960c076248950bfe46733ad33571c1f06e14ec3bdba07e0b8c8f730d42841fee50f0"
                + "75756b823888bbf2f4016f4d3876321a4ef556d9",
            rtcp: "80c80006cafebabe364d546d9969abe3cc708ac8c83c1deb13640cb880000001fd409c0d3ede5c61fd34")
    }

    func testChorusRunsOpenSSLForAESCMAndHMAC() {
        // The swap happens unless CHORUS_SRTP_CRYPTO=libsrtp2 asks for libsrtp2's own crypto.
        guard ProcessInfo.processInfo.environment["CHORUS_SRTP_CRYPTO"] != "libsrtp2" else { return }
        XCTAssertTrue(SRTPSession.cryptoImplementation.hasPrefix("OpenSSL 3"), SRTPSession.cryptoImplementation)
    }

    func testTheCryptoLogLineNamesWhatRunsEachPrimitiveWhenOnlyOneSwapSucceeded() {
        func describe(_ cipher: Int32, _ hmac: Int32) -> String {
            cryptoDescription(openSSL: "OpenSSL 3.0", builtIn: "libsrtp2's own", cipherRefusal: cipher, hmacRefusal: hmac)
        }
        XCTAssertEqual(describe(0, 0), "OpenSSL 3.0 for AES-CM and HMAC-SHA1, libsrtp2's own for AES-GCM")
        XCTAssertEqual(describe(0, 11), "OpenSSL 3.0 for AES-CM; libsrtp2's own for HMAC-SHA1 (OpenSSL refused: 11) and AES-GCM")
        XCTAssertEqual(describe(11, 0), "OpenSSL 3.0 for HMAC-SHA1; libsrtp2's own for AES-CM (OpenSSL refused: 11) and AES-GCM")
        XCTAssertEqual(describe(11, -1), "libsrtp2's own; OpenSSL refused: cipher 11, HMAC -1")
    }
}
