/// The two G.711 companding laws (ITU-T G.711), one byte per 8 kHz sample.
public enum G711Law: Sendable, Hashable, CaseIterable {
    /// μ-law: RTP payload type 0, `PCMU` (North America, Japan).
    case muLaw
    /// A-law: RTP payload type 8, `PCMA` (the rest of the world).
    case aLaw

    /// The static RTP payload type (RFC 3551).
    public var rtpPayloadType: UInt8 {
        switch self {
        case .muLaw: 0
        case .aLaw: 8
        }
    }

    /// The SDP encoding name (`a=rtpmap:<pt> <name>/8000`).
    public var encodingName: String {
        switch self {
        case .muLaw: "PCMU"
        case .aLaw: "PCMA"
        }
    }

    /// The byte a silent sample encodes to, for filling gaps without running the encoder.
    public var silence: UInt8 {
        switch self {
        case .muLaw: 0xFF
        case .aLaw: 0xD5
        }
    }

    /// G.711 is defined for 8 kHz audio only.
    public static let sampleRate = 8_000
}
