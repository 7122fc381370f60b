/// An offer Chorus sent and is waiting for the answer to, with the secrets needed to accept it.
public struct PendingOffer: Equatable, Sendable {
    /// An `a=crypto` line Chorus offered, with the key it put in it.
    struct OfferedCrypto: Equatable, Sendable {
        var tag: Int
        var suite: String
        var keyingMaterial: [UInt8]
    }

    /// The offer as sent.
    public let offer: SessionDescription
    /// The direction Chorus offered.
    public let direction: MediaDirection
    /// The SRTP policy the offer was made under.
    public let srtpPolicy: SRTPPolicy

    let codecs: [UInt8: AudioCodecKind]
    let telephoneEventPayloadType: UInt8
    let cryptos: [OfferedCrypto]

    init(
        offer: SessionDescription,
        direction: MediaDirection,
        srtpPolicy: SRTPPolicy,
        codecs: [UInt8: AudioCodecKind],
        telephoneEventPayloadType: UInt8,
        cryptos: [OfferedCrypto]
    ) {
        self.offer = offer
        self.direction = direction
        self.srtpPolicy = srtpPolicy
        self.codecs = codecs
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.cryptos = cryptos
    }
}
