extension OfferAnswer {
    /// The payload type of telephone-event in Chorus's offers.
    static let offerTelephoneEventPayloadType: UInt8 = 101
    /// The identifier of RFC 6464 audio levels in Chorus's offers.
    static let offerAudioLevelExtensionID: UInt8 = 1

    /// Makes an offer with one audio stream: Chorus's codecs in preference order, telephone-event/8000,
    /// RFC 6464 audio levels (`a=extmap`), `a=ptime:20`, `a=rtcp-mux` and, depending on the SRTP policy, `a=crypto` lines (one per supported suite).
    ///
    /// Used for a late offer (an INVITE without SDP) and for re-offers. Pass the result's `pending` to
    /// `acceptAnswer(_:to:)` when the answer arrives.
    ///
    /// - Precondition: `capabilities.codecs` is not empty.
    public static func makeOffer(
        transport: LocalTransport,
        capabilities: LocalMediaCapabilities,
        session: SessionIdentity,
        direction: MediaDirection = .sendrecv
    ) -> (offer: SessionDescription, pending: PendingOffer) {
        precondition(!capabilities.codecs.isEmpty, "Chorus needs at least one codec to offer")
        var codecs: [UInt8: AudioCodecKind] = [:]
        var formats: [String] = []
        var attributes: [SDPAttribute] = []
        for kind in capabilities.codecs where codecs[kind.offerPayloadType] == nil {
            let payloadType = kind.offerPayloadType
            codecs[payloadType] = kind
            formats.append(String(payloadType))
            attributes.append(SDPAttribute(name: "rtpmap", value: kind.rtpMap(payloadType: payloadType).attributeValue))
            if kind == .opus {
                attributes.append(SDPAttribute(name: "fmtp", value: "\(payloadType) minptime=10;useinbandfec=1"))
            }
        }
        let telephoneEvent = self.offerTelephoneEventPayloadType
        formats.append(String(telephoneEvent))
        attributes.append(SDPAttribute(name: "rtpmap", value: "\(telephoneEvent) telephone-event/8000"))
        attributes.append(SDPAttribute(name: "fmtp", value: "\(telephoneEvent) 0-16"))
        let audioLevel = SDPExtensionMap(id: self.offerAudioLevelExtensionID, uri: SDPExtensionMap.clientToMixerAudioLevelURI)
        attributes.append(SDPAttribute(name: "extmap", value: audioLevel.attributeValue))
        attributes.append(contentsOf: self.transportAttributes(transport: transport, direction: direction, rtcpMux: true, isOffer: true))

        var cryptos: [PendingOffer.OfferedCrypto] = []
        if capabilities.srtpPolicy != .off {
            var seen: Set<String> = []
            for suite in capabilities.cryptoSuites where capabilities.supports(suite: suite) {
                guard let length = SDESKeys.keyingMaterialLength(forSuite: suite), seen.insert(suite.uppercased()).inserted
                else { continue }
                let offered = PendingOffer.OfferedCrypto(
                    tag: cryptos.count + 1,
                    suite: suite,
                    keyingMaterial: capabilities.freshKeyingMaterial(length: length)
                )
                cryptos.append(offered)
                let attribute = SDPCryptoAttribute(
                    tag: offered.tag,
                    suite: suite,
                    keyParameters: [.init(keySalt: Base64.encode(offered.keyingMaterial))]
                )
                attributes.append(SDPAttribute(name: "crypto", value: attribute.attributeValue))
            }
        }
        // Only a required policy uses RTP/SAVP: peers without SRTP reject it outright, which is the point.
        let proto = capabilities.srtpPolicy == .required ? "RTP/SAVP" : "RTP/AVP"
        let offer = localDescription(
            session: session, transport: transport,
            media: [MediaDescription(media: "audio", port: transport.rtpPort, proto: proto, formats: formats, attributes: attributes)])
        let pending = PendingOffer(
            offer: offer,
            direction: direction,
            srtpPolicy: capabilities.srtpPolicy,
            codecs: codecs,
            telephoneEventPayloadType: telephoneEvent,
            cryptos: cryptos
        )
        return (offer, pending)
    }

    /// Checks an answer against the offer it answers and returns what was agreed.
    ///
    /// - Throws: 400 when the answer's m-lines do not match the offer or it has no connection address;
    ///   488 when it rejects the stream, changes the transport, picks a codec Chorus did not offer,
    ///   answers with a crypto line Chorus did not offer, or has no keys while SRTP is required.
    public static func acceptAnswer(
        _ answer: SessionDescription,
        to pending: PendingOffer
    ) throws(NegotiationFailure) -> NegotiatedAudio {
        guard answer.media.count == pending.offer.media.count, let offered = pending.offer.media.first else {
            throw .badRequest(
                "answer has \(answer.media.count) media sections, the offer had \(pending.offer.media.count)")
        }
        let media = answer.media[0]
        guard media.port != 0 else {
            throw .notAcceptable("answer rejected the audio stream")
        }
        guard media.proto.uppercased() == offered.proto.uppercased() else {
            throw .notAcceptable("answer changed the transport from \(offered.proto) to \(excerpt(ofPeerText: media.proto))")
        }
        var codec: NegotiatedCodec?
        for payloadType in media.payloadTypes {
            guard let kind = pending.codecs[payloadType] else { continue }
            // A payload type Chorus offered, remapped to something else, is not what Chorus offered.
            if let map = media.rtpMap(for: payloadType), AudioCodecKind(map) != kind { continue }
            codec = AudioStreamNegotiation.negotiatedCodec(kind, payloadType: payloadType, in: media, session: answer)
            break
        }
        guard let codec else {
            throw .notAcceptable("answer has no codec Chorus offered")
        }
        var telephoneEvent: TelephoneEventFormat?
        let telephoneEventPayloadType = pending.telephoneEventPayloadType
        if media.payloadTypes.contains(telephoneEventPayloadType),
            media.rtpMap(for: telephoneEventPayloadType).map({ $0.encodingName.lowercased() == "telephone-event" }) ?? true
        {
            telephoneEvent = TelephoneEventFormat(payloadType: telephoneEventPayloadType, clockRate: 8_000)
        }
        let srtp = try self.acceptedKeys(in: media, pending: pending)
        return try AudioStreamNegotiation.negotiatedAudio(
            remote: media,
            remoteSession: answer,
            codec: codec,
            telephoneEvent: telephoneEvent,
            localDirection: pending.direction,
            rtcpMux: media.rtcpMux,
            srtp: srtp
        )
    }

    private static func acceptedKeys(in media: MediaDescription, pending: PendingOffer) throws(NegotiationFailure) -> SDESKeys? {
        let secure = AudioStreamNegotiation.isSecure(proto: media.proto)
        // Without offered keys, any a=crypto in the answer is noise: there is nothing it could have accepted.
        if !pending.cryptos.isEmpty, media.hasAttribute(named: "crypto") {
            for crypto in media.cryptos {
                guard let offered = pending.cryptos.first(where: { $0.tag == crypto.tag }),
                    offered.suite.uppercased() == crypto.suite.uppercased(),
                    let remote = AudioStreamNegotiation.usableKeyingMaterial(crypto)
                else { continue }
                return SDESKeys(
                    suite: offered.suite,
                    remoteKeyingMaterial: remote,
                    localKeyingMaterial: offered.keyingMaterial,
                    localTag: offered.tag
                )
            }
            throw .notAcceptable("answer crypto does not match any offered crypto")
        }
        if secure || pending.srtpPolicy == .required {
            throw .notAcceptable("SRTP required")
        }
        return nil
    }
}
