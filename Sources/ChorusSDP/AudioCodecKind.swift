/// The audio codecs Chorus can negotiate.
public enum AudioCodecKind: String, Equatable, Sendable, CaseIterable {
    /// Opus (RFC 7587): always `opus/48000/2` in SDP, whatever is actually sent.
    case opus
    /// G.711 µ-law, static payload type 0.
    case pcmu
    /// G.711 A-law, static payload type 8.
    case pcma

    /// The encoding name in `a=rtpmap`.
    public var encodingName: String {
        switch self {
        case .opus: return "opus"
        case .pcmu: return "PCMU"
        case .pcma: return "PCMA"
        }
    }

    /// The RTP clock rate: 48000 for Opus, 8000 for G.711.
    public var clockRate: Int {
        self == .opus ? 48_000 : 8_000
    }

    /// The channel count written in SDP: 2 for Opus (RFC 7587 §7 mandates it), 1 for G.711.
    public var channels: Int {
        self == .opus ? 2 : 1
    }

    /// The RFC 3551 static payload type, if the codec has one.
    public var staticPayloadType: UInt8? {
        switch self {
        case .opus: return nil
        case .pcmu: return 0
        case .pcma: return 8
        }
    }

    /// The payload type Chorus uses for the codec in its own offers.
    public var offerPayloadType: UInt8 {
        self.staticPayloadType ?? 111
    }

    /// `opus/48000/2`, `PCMU/8000` or `PCMA/8000`, as in warnings and `a=rtpmap`.
    public var encodingDescription: String {
        self.rtpMap(payloadType: 0).encodingDescription
    }

    /// The `a=rtpmap` for the codec under the given payload type.
    func rtpMap(payloadType: UInt8) -> SDPRTPMap {
        SDPRTPMap(
            payloadType: payloadType,
            encodingName: self.encodingName,
            clockRate: self.clockRate,
            channels: self == .opus ? 2 : nil
        )
    }

    /// The codec an offered mapping stands for, if Chorus supports it.
    init?(_ map: SDPRTPMap) {
        if map.matches("opus", clockRate: 48_000, channels: [2]) {
            self = .opus
        } else if map.matches("PCMU", clockRate: 8_000, channels: [1]) {
            self = .pcmu
        } else if map.matches("PCMA", clockRate: 8_000, channels: [1]) {
            self = .pcma
        } else {
            return nil
        }
    }
}
