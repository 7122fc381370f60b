internal import CSRTP
internal import CSRTPOpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// libsrtp2's global initialisation, run once on first use (a global `let` is initialised
/// lazily and exactly once, thread-safely): `srtp_init`, then OpenSSL's AES-CM and HMAC-SHA1 in
/// place of NSS's unless `CHORUS_SRTP_CRYPTO=libsrtp2` (see ``SRTPSession/cryptoImplementation``).
private let srtpLibrary: (status: UInt32, implementation: String) = {
    let status = srtp_init()
    guard status == srtp_err_status_ok else { return (status.rawValue, "none") }
    let builtIn = "libsrtp2's own (NSS on Debian)"
    if let choice = getenv("CHORUS_SRTP_CRYPTO"), String(cString: choice) == "libsrtp2" { return (status.rawValue, builtIn) }
    let cipher = chorus_srtp_use_openssl_cipher()
    let hmac = chorus_srtp_use_openssl_hmac()
    let openSSL = String(cString: chorus_srtp_openssl_version())
    return (status.rawValue, cryptoDescription(openSSL: openSSL, builtIn: builtIn, cipherRefusal: cipher, hmacRefusal: hmac))
}()

/// Which code runs each primitive, given the status of each OpenSSL replacement (0: in use).
func cryptoDescription(openSSL: String, builtIn: String, cipherRefusal cipher: Int32, hmacRefusal hmac: Int32) -> String {
    switch (cipher == 0, hmac == 0) {
    case (true, true): "\(openSSL) for AES-CM and HMAC-SHA1, libsrtp2's own for AES-GCM"
    case (true, false): "\(openSSL) for AES-CM; \(builtIn) for HMAC-SHA1 (OpenSSL refused: \(hmac)) and AES-GCM"
    case (false, true): "\(openSSL) for HMAC-SHA1; \(builtIn) for AES-CM (OpenSSL refused: \(cipher)) and AES-GCM"
    case (false, false): "\(builtIn); OpenSSL refused: cipher \(cipher), HMAC \(hmac)"
    }
}

/// One direction of an SRTP stream: SRTP and SRTCP for packets Chorus sends (`.outbound`) or
/// receives (`.inbound`) under one master key, for any SSRC.
///
/// Replay protection is on (libsrtp2's default 128-packet window). Not thread-safe: use each
/// session from one thread at a time (the event loop of its media leg). Keys are copied into
/// libsrtp2 at creation and never stored, logged or described by this type.
public final class SRTPSession {
    /// Which packets a session handles.
    public enum Direction: Sendable, Hashable {
        /// Packets Chorus sends: ``protect(rtp:)`` and ``protectRTCP(_:)``.
        case outbound
        /// Packets Chorus receives: ``unprotect(srtp:)`` and ``unprotectRTCP(_:)``.
        case inbound
    }

    /// Largest plain RTP/RTCP packet accepted (a UDP datagram).
    public static let maxPacketLength = 65_535 - Int(chorus_srtp_max_trailer_len)
    /// Spare bytes protect may append after the packet.
    public static let maxTrailerLength = Int(chorus_srtp_max_trailer_len)

    /// Whose cipher and MAC code SRTP runs on, for logs. libsrtp2 does the SRTP itself; Debian
    /// builds its crypto on NSS, which sets up a PKCS #11 context per packet, so Chorus gives it
    /// OpenSSL's AES-CM and HMAC-SHA1 (target `CSRTPOpenSSL`) once they pass libsrtp2's
    /// known-answer tests. `CHORUS_SRTP_CRYPTO=libsrtp2` in the environment keeps libsrtp2's own.
    public static var cryptoImplementation: String { srtpLibrary.implementation }

    public let suite: SRTPCryptoSuite
    public let direction: Direction
    private let context: srtp_t

    /// - Parameters:
    ///   - suite: the negotiated crypto suite.
    ///   - keyingMaterial: master key followed by master salt (the decoded SDES `inline:` key),
    ///     ``SRTPCryptoSuite/keyingMaterialLength`` bytes.
    ///   - direction: whether this session protects or unprotects.
    public init(suite: SRTPCryptoSuite, keyingMaterial: [UInt8], direction: Direction) throws(SRTPError) {
        guard srtpLibrary.status == srtp_err_status_ok.rawValue else { throw .library(status: srtpLibrary.status) }
        guard keyingMaterial.count == suite.keyingMaterialLength else {
            throw .wrongKeyLength(expected: suite.keyingMaterialLength, actual: keyingMaterial.count)
        }
        var policy = srtp_policy_t()
        switch suite {
        case .aesCM128HMACSHA1_80: chorus_srtp_policy_set_aes_cm_128_hmac_sha1_80(&policy)
        case .aesCM128HMACSHA1_32: chorus_srtp_policy_set_aes_cm_128_hmac_sha1_32(&policy)
        case .aeadAES128GCM: chorus_srtp_policy_set_aead_aes_128_gcm(&policy)
        case .aeadAES256GCM: chorus_srtp_policy_set_aead_aes_256_gcm(&policy)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 0  // libsrtp2's default (128)
        policy.allow_repeat_tx = 0
        policy.next = nil

        // libsrtp2 derives its session keys inside srtp_create and keeps no pointer to ours.
        var key = keyingMaterial
        var session: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&session, &policy)
        }
        for index in key.indices { key[index] = 0 }
        guard status == srtp_err_status_ok, let session else { throw .library(status: status.rawValue) }
        self.suite = suite
        self.direction = direction
        self.context = session
    }

    deinit { srtp_dealloc(context) }

    // MARK: Buffers

    /// Protects the RTP packet in `buffer[0..<length]` in place.
    ///
    /// - Parameter buffer: must have ``maxTrailerLength`` bytes of room after the packet.
    /// - Returns: the SRTP packet's length.
    public func protect(rtp buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, minimum: 12, outbound: true, srtp_protect)
    }

    /// Checks and decrypts the SRTP packet in `buffer[0..<length]` in place.
    /// - Returns: the RTP packet's length.
    public func unprotect(srtp buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, minimum: 12, outbound: false, srtp_unprotect)
    }

    /// Protects the RTCP compound packet in `buffer[0..<length]` in place (room as for RTP).
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, minimum: 8, outbound: true, srtp_protect_rtcp)
    }

    /// Checks and decrypts the SRTCP packet in `buffer[0..<length]` in place.
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try transform(buffer, length: length, minimum: 8, outbound: false, srtp_unprotect_rtcp)
    }

    // MARK: Arrays

    /// Protects an RTP packet, replacing it with the SRTP packet.
    public func protect(rtp packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet, outbound: true) { (buffer, length) throws(SRTPError) in try protect(rtp: buffer, length: length) }
    }

    /// Unprotects an SRTP packet, replacing it with the RTP packet. Left unchanged on error.
    public func unprotect(srtp packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet, outbound: false) { (buffer, length) throws(SRTPError) in
            try unprotect(srtp: buffer, length: length)
        }
    }

    /// Protects an RTCP compound packet, replacing it with the SRTCP packet.
    public func protectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet, outbound: true) { (buffer, length) throws(SRTPError) in try protectRTCP(buffer, length: length) }
    }

    /// Unprotects an SRTCP packet, replacing it with the RTCP packet. Left unchanged on error.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try transform(&packet, outbound: false) { (buffer, length) throws(SRTPError) in
            try unprotectRTCP(buffer, length: length)
        }
    }

    // MARK: Internals

    private func transform(
        _ packet: inout [UInt8], outbound: Bool,
        _ body: (UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
    ) throws(SRTPError) {
        let length = packet.count
        // Work on a copy with trailer room: libsrtp2 writes in place, and a failed unprotect
        // must leave the caller's packet as it was.
        var work = packet
        work.append(contentsOf: repeatElement(0, count: outbound ? Self.maxTrailerLength : 0))
        let newLength = try work.withUnsafeMutableBufferPointer { (buffer) throws(SRTPError) -> Int in
            try body(UnsafeMutableRawBufferPointer(buffer), length)
        }
        work.removeSubrange(newLength...)
        packet = work
    }

    private func transform(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, minimum: Int, outbound: Bool,
        _ operation: (srtp_t, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        guard (direction == .outbound) == outbound else { throw .wrongDirection }
        guard length >= minimum, length <= Self.maxPacketLength else { throw .invalidPacketLength(length) }
        let room = outbound ? length + Self.maxTrailerLength : length
        guard buffer.count >= room, let base = buffer.baseAddress else { throw .invalidPacketLength(length) }
        var inOut = Int32(length)
        let status = operation(context, base, &inOut)
        switch status {
        case srtp_err_status_ok: return Int(inOut)
        case srtp_err_status_auth_fail: throw .authenticationFailed
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: throw .replay
        default: throw .library(status: status.rawValue)
        }
    }
}
