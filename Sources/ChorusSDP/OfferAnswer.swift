/// RFC 3264 offer/answer for a call with one audio stream.
public enum OfferAnswer {
    /// Answers an offer: accepts the first usable audio stream and rejects every other m-line with port 0.
    ///
    /// A stream is usable when it is `m=audio` with a port, an RTP profile Chorus speaks (`RTP/AVP`, `RTP/SAVP`,
    /// `RTP/AVPF`, `RTP/SAVPF`), a codec Chorus supports, and keys if SRTP is needed. The codec is the offerer's
    /// most preferred one that Chorus supports, under the offerer's payload type.
    ///
    /// - Throws: 488 with the reasons when no stream is usable; 400 when the chosen stream has no `c=`.
    public static func answer(
        to offer: SessionDescription,
        transport: LocalTransport,
        capabilities: LocalMediaCapabilities,
        session: SessionIdentity
    ) throws(NegotiationFailure) -> (answer: SessionDescription, audio: NegotiatedAudio) {
        var reasons: [String] = []
        var accepted: (index: Int, stream: AcceptedStream)?
        for (index, media) in offer.media.enumerated() {
            switch self.evaluate(media, in: offer, capabilities: capabilities) {
            case .accepted(let stream):
                accepted = (index, stream)
            case .rejected(let reason):
                if let reason, !reasons.contains(reason) {
                    reasons.append(reason)
                }
            }
            if accepted != nil { break }
        }
        guard let accepted else {
            throw .notAcceptable(reasons.isEmpty ? "no audio stream offered" : reasons.joined(separator: "; "))
        }

        let offeredMedia = offer.media[accepted.index]
        let stream = accepted.stream
        var srtp: SDESKeys?
        var answerCrypto: SDPCryptoAttribute?
        if let (crypto, remoteKeyingMaterial) = stream.crypto,
            let length = SDESKeys.keyingMaterialLength(forSuite: crypto.suite)
        {
            let localKeyingMaterial = capabilities.freshKeyingMaterial(length: length, avoiding: remoteKeyingMaterial)
            srtp = SDESKeys(
                suite: crypto.suite,
                remoteKeyingMaterial: remoteKeyingMaterial,
                localKeyingMaterial: localKeyingMaterial,
                localTag: crypto.tag
            )
            answerCrypto = SDPCryptoAttribute(
                tag: crypto.tag,
                suite: crypto.suite,
                keyParameters: [.init(keySalt: Base64.encode(localKeyingMaterial))]
            )
        }
        let rtcpMux = offeredMedia.rtcpMux
        let localDirection = offeredMedia.direction(sessionDefault: offer.sessionDirection).reversed
        let audio = try AudioStreamNegotiation.negotiatedAudio(
            remote: offeredMedia,
            remoteSession: offer,
            codec: stream.codec,
            telephoneEvent: stream.telephoneEvent?.format,
            localDirection: localDirection,
            rtcpMux: rtcpMux,
            srtp: srtp
        )

        var media = offer.media.map(self.rejection(of:))
        media[accepted.index] = self.acceptedMedia(
            proto: offeredMedia.proto,
            stream: stream,
            transport: transport,
            direction: localDirection,
            rtcpMux: rtcpMux,
            crypto: answerCrypto
        )
        let answer = localDescription(session: session, transport: transport, media: media)
        return (answer, audio)
    }

    /// What Chorus will do with a stream it accepts.
    struct AcceptedStream {
        var codec: NegotiatedCodec
        var telephoneEvent: (format: TelephoneEventFormat, parameters: SDPFormatParameters?)?
        var crypto: (crypto: SDPCryptoAttribute, remoteKeyingMaterial: [UInt8])?
        /// The offerer's identifier for RFC 6464 audio levels, echoed in the answer: the mixer
        /// reads them to skip decoding silent participants.
        var audioLevelExtensionID: UInt8?
    }

    enum StreamEvaluation {
        case accepted(AcceptedStream)
        /// Rejected, with the reason worth telling the offerer (nil for streams that were never candidates).
        case rejected(String?)
    }

    static func evaluate(
        _ media: MediaDescription,
        in offer: SessionDescription,
        capabilities: LocalMediaCapabilities
    ) -> StreamEvaluation {
        guard media.media.lowercased() == "audio", media.port != 0 else {
            return .rejected(nil)
        }
        guard AudioStreamNegotiation.supportedProtos.contains(media.proto.uppercased()) else {
            return .rejected("unsupported transport \(excerpt(ofPeerText: media.proto))")
        }
        guard let codec = AudioStreamNegotiation.chooseCodec(in: media, session: offer, supported: capabilities.codecs)
        else {
            return .rejected(AudioStreamNegotiation.noCommonCodecWarning(capabilities))
        }
        let crypto: (crypto: SDPCryptoAttribute, remoteKeyingMaterial: [UInt8])?
        if AudioStreamNegotiation.isSecure(proto: media.proto) {
            guard capabilities.srtpPolicy != .off else {
                return .rejected("SRTP is disabled")
            }
            guard let usable = AudioStreamNegotiation.chooseCrypto(in: media, capabilities: capabilities) else {
                return .rejected("no supported crypto suite")
            }
            crypto = usable
        } else if capabilities.srtpPolicy != .off {
            // Best-effort SRTP: many phones put a=crypto on RTP/AVP and use it when the answer has one.
            crypto = AudioStreamNegotiation.chooseCrypto(in: media, capabilities: capabilities)
            if crypto == nil, capabilities.srtpPolicy == .required {
                return .rejected("SRTP required")
            }
        } else {
            crypto = nil
        }
        return .accepted(
            AcceptedStream(
                codec: codec,
                telephoneEvent: AudioStreamNegotiation.chooseTelephoneEvent(in: media, codecClockRate: codec.clockRate),
                crypto: crypto,
                audioLevelExtensionID: media.sentAudioLevelExtensionID
            )
        )
    }

    /// RFC 3264 §6: a rejected stream keeps its media and proto, gets port 0 and at least one format.
    static func rejection(of media: MediaDescription) -> MediaDescription {
        MediaDescription(media: media.media, port: 0, proto: media.proto, formats: [media.formats.first ?? "0"])
    }

    static func acceptedMedia(
        proto: String,
        stream: AcceptedStream,
        transport: LocalTransport,
        direction: MediaDirection,
        rtcpMux: Bool,
        crypto: SDPCryptoAttribute?
    ) -> MediaDescription {
        let codec = stream.codec
        var formats = [String(codec.payloadType)]
        var attributes = [SDPAttribute(name: "rtpmap", value: codec.kind.rtpMap(payloadType: codec.payloadType).attributeValue)]
        if codec.kind == .opus {
            // What Chorus wants to receive: FEC helps its jitter buffer conceal losses.
            attributes.append(SDPAttribute(name: "fmtp", value: "\(codec.payloadType) minptime=10;useinbandfec=1"))
        }
        if let (format, parameters) = stream.telephoneEvent {
            formats.append(String(format.payloadType))
            attributes.append(SDPAttribute(name: "rtpmap", value: "\(format.payloadType) telephone-event/\(format.clockRate)"))
            if let parameters, !parameters.text.isEmpty {
                attributes.append(SDPAttribute(name: "fmtp", value: "\(format.payloadType) \(parameters.text)"))
            }
        }
        if let id = stream.audioLevelExtensionID {
            attributes.append(SDPAttribute(name: "extmap", value: SDPExtensionMap(id: id, uri: SDPExtensionMap.clientToMixerAudioLevelURI).attributeValue))
        }
        attributes.append(contentsOf: self.transportAttributes(transport: transport, direction: direction, rtcpMux: rtcpMux))
        if let crypto {
            attributes.append(SDPAttribute(name: "crypto", value: crypto.attributeValue))
        }
        return MediaDescription(
            media: "audio",
            port: transport.rtpPort,
            proto: proto,
            formats: formats,
            attributes: attributes
        )
    }

    /// `a=ptime`, `a=rtcp-mux`, `a=rtcp` (only when RTCP is not on RTP + 1 and may be used), and the direction.
    ///
    /// An offer that proposes multiplexing still names its RTCP port, for a peer that declines it (RFC 5761 §5.1.1);
    /// an answer that accepts multiplexing has no separate RTCP port.
    static func transportAttributes(
        transport: LocalTransport,
        direction: MediaDirection,
        rtcpMux: Bool,
        isOffer: Bool = false
    ) -> [SDPAttribute] {
        var attributes = [SDPAttribute(name: "ptime", value: "20")]
        if rtcpMux {
            attributes.append(SDPAttribute(name: "rtcp-mux"))
        }
        if (!rtcpMux || isOffer) && transport.rtcpPort != transport.rtpPort + 1 {
            attributes.append(SDPAttribute(name: "rtcp", value: String(transport.rtcpPort)))
        }
        attributes.append(SDPAttribute(name: direction.rawValue))
        return attributes
    }

    /// An SDP of Chorus's own (answer or offer): its origin, session name and connection
    /// address around `media`.
    static func localDescription(session: SessionIdentity, transport: LocalTransport, media: [MediaDescription]) -> SessionDescription {
        SessionDescription(
            origin: SDPOrigin(
                username: session.username,
                sessionID: session.sessionID,
                sessionVersion: session.version,
                address: transport.address
            ),
            sessionName: "Chorus",
            connection: SDPConnection(address: transport.address),
            media: media
        )
    }
}
