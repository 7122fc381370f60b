/// Whether Chorus uses SDES-SRTP (RFC 4568) on a call.
public enum SRTPPolicy: String, Equatable, Sendable {
    /// Never: `RTP/SAVP` offers are refused, `a=crypto` on `RTP/AVP` offers is ignored.
    case off
    /// When the peer offers it (also as best-effort `a=crypto` on `RTP/AVP`); plain RTP otherwise.
    case optional
    /// Always: calls that cannot be keyed are refused with 488.
    case required
}
