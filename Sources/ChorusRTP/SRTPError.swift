/// A failure to create an SRTP session or to protect or unprotect a packet.
///
/// Never carries key material.
public enum SRTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The packet's authentication tag is wrong: tampered, corrupted, or keyed differently.
    case authenticationFailed
    /// The packet index was already seen, or is older than the replay window.
    case replay
    /// The keying material has the wrong length for the suite.
    case wrongKeyLength(expected: Int, actual: Int)
    /// Shorter than an RTP (12 bytes) or RTCP (8 bytes) header, or larger than Chorus accepts.
    case invalidPacketLength(Int)
    /// protect on an inbound session or unprotect on an outbound one.
    case wrongDirection
    /// Any other libsrtp2 status (`srtp_err_status_t`).
    case library(status: UInt32)

    public var description: String {
        switch self {
        case .authenticationFailed: "SRTP authentication failed"
        case .replay: "SRTP replayed or too old packet"
        case .wrongKeyLength(let expected, let actual): "SRTP key+salt is \(actual) bytes, expected \(expected)"
        case .invalidPacketLength(let length): "invalid packet length \(length)"
        case .wrongDirection: "SRTP session used in the wrong direction"
        case .library(let status): "libsrtp2 error status \(status)"
        }
    }
}
