/// Everything the media layer needs to run a call's audio, as agreed by offer/answer.
public struct NegotiatedAudio: Equatable, Sendable {
    /// The codec and its payload type.
    public var codec: NegotiatedCodec
    /// The RFC 4733 DTMF format, when both sides have one.
    public var telephoneEvent: TelephoneEventFormat?
    /// Where to send RTP; nil when the peer's address is `0.0.0.0` or `::` (old-style hold).
    public var remoteAddress: String?
    /// The peer's RTP port.
    public var remoteRTPPort: Int
    /// The peer's RTCP port: its `a=rtcp` port, else RTP + 1; nil when RTCP is multiplexed.
    public var remoteRTCPPort: Int?
    /// Where to send RTCP: the `a=rtcp` address, else `remoteAddress`; nil when RTCP is multiplexed.
    public var remoteRTCPAddress: String?
    /// Whether RTP and RTCP share one port (RFC 5761).
    public var rtcpMux: Bool
    /// The direction the peer stated.
    public var remoteDirection: MediaDirection
    /// The direction Chorus stated.
    public var localDirection: MediaDirection
    /// Whether Chorus sends media: both directions allow it and the peer has an address.
    public var chorusSends: Bool
    /// Whether Chorus receives media: both directions allow it.
    public var chorusReceives: Bool
    /// The packet time Chorus sends, in ms: 20 unless the peer asks for 10, 40 or 60, capped by its `a=maxptime`.
    public var sendPacketTime: Int
    /// The SDES keys, when the call uses SRTP.
    public var srtp: SDESKeys?
    /// The RTP header extension identifier of the peer's RFC 6464 audio levels, when both sides
    /// agreed to it (`a=extmap` with ``SDPExtensionMap/clientToMixerAudioLevelURI``).
    public var audioLevelExtensionID: UInt8?

    /// Creates a negotiated audio description.
    public init(
        codec: NegotiatedCodec,
        telephoneEvent: TelephoneEventFormat?,
        remoteAddress: String?,
        remoteRTPPort: Int,
        remoteRTCPPort: Int?,
        remoteRTCPAddress: String?,
        rtcpMux: Bool,
        remoteDirection: MediaDirection,
        localDirection: MediaDirection,
        chorusSends: Bool,
        chorusReceives: Bool,
        sendPacketTime: Int,
        srtp: SDESKeys?,
        audioLevelExtensionID: UInt8? = nil
    ) {
        self.codec = codec
        self.telephoneEvent = telephoneEvent
        self.remoteAddress = remoteAddress
        self.remoteRTPPort = remoteRTPPort
        self.remoteRTCPPort = remoteRTCPPort
        self.remoteRTCPAddress = remoteRTCPAddress
        self.rtcpMux = rtcpMux
        self.remoteDirection = remoteDirection
        self.localDirection = localDirection
        self.chorusSends = chorusSends
        self.chorusReceives = chorusReceives
        self.sendPacketTime = sendPacketTime
        self.srtp = srtp
        self.audioLevelExtensionID = audioLevelExtensionID
    }
}
