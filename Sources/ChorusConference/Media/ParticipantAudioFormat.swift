import ChorusCodecs

/// What one participant's audio stream carries, as offer/answer chose it: the codec both ways and
/// how Chorus encodes and packetises what it sends.
///
/// Equal formats can share one encoder: every listener who hears the common mix and has the same
/// format gets the very same payload (only RTP headers and SRTP differ per leg). So the Opus
/// settings of G.711 formats are normalised away, and the format is `Hashable`.
public struct ParticipantAudioFormat: Hashable, Sendable {
    public enum Codec: String, Hashable, Sendable {
        case opus
        /// G.711 mu-law (RFC 3551 PT 0).
        case pcmu
        /// G.711 A-law (RFC 3551 PT 8).
        case pcma
    }

    public let codec: Codec
    /// Encoder settings for Opus; the defaults (and ignored) for G.711.
    public let opus: OpusEncoderConfiguration
    /// Milliseconds of audio per packet Chorus sends: 20 for Opus; 10 to 60 in steps of 10 for G.711.
    public let packetMilliseconds: Int

    public init(codec: Codec, opus: OpusEncoderConfiguration = OpusEncoderConfiguration(), packetMilliseconds: Int = 20) {
        self.codec = codec
        switch codec {
        case .opus:
            self.opus = opus
            // One 20 ms Opus frame per packet: the mixer's tick. Longer packets would need the
            // repacketiser and buy nothing on a conference bridge.
            self.packetMilliseconds = 20
        case .pcmu, .pcma:
            self.opus = OpusEncoderConfiguration()
            self.packetMilliseconds = min(60, max(10, packetMilliseconds / 10 * 10))
        }
    }

    /// The RTP clock rate of the codec.
    public var clockRate: Int { codec == .opus ? 48_000 : 8_000 }
}
