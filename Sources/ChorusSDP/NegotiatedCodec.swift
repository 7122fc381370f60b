/// The codec both sides agreed on, under the payload type the offerer chose.
public struct NegotiatedCodec: Equatable, Sendable {
    /// Which codec.
    public var kind: AudioCodecKind
    /// The payload type, in both directions (Chorus keeps the offerer's numbers).
    public var payloadType: UInt8
    /// The RTP clock rate: 48000 for Opus, 8000 for G.711.
    public var clockRate: Int
    /// The channel count from SDP: 2 for Opus, 1 for G.711.
    public var channels: Int
    /// For Opus, what the remote side asked of the stream Chorus sends; nil for G.711.
    public var opus: OpusParameters?

    /// Creates a negotiated codec.
    public init(kind: AudioCodecKind, payloadType: UInt8, clockRate: Int, channels: Int, opus: OpusParameters? = nil) {
        self.kind = kind
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.channels = channels
        self.opus = opus
    }
}

/// The negotiated RFC 4733 `telephone-event` format, for DTMF.
public struct TelephoneEventFormat: Equatable, Sendable {
    /// Its payload type.
    public var payloadType: UInt8
    /// Its RTP clock rate: 8000 or 48000.
    public var clockRate: Int

    /// Creates a telephone-event format.
    public init(payloadType: UInt8, clockRate: Int) {
        self.payloadType = payloadType
        self.clockRate = clockRate
    }
}
