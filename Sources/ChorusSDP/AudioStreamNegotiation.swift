/// The choices RFC 3264 leaves to the answerer for one audio stream, shared by answering and by accepting answers.
enum AudioStreamNegotiation {
    /// The RTP profiles Chorus speaks; the F variants only add RTCP feedback, which Chorus can ignore.
    static let supportedProtos: Set<String> = ["RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF"]

    static func isSecure(proto: String) -> Bool {
        proto.uppercased().hasPrefix("RTP/SAVP")
    }

    /// The warning for an offer without a usable codec, listing what Chorus would have taken.
    static func noCommonCodecWarning(_ capabilities: LocalMediaCapabilities) -> String {
        "no common codec: Chorus supports " + capabilities.codecs.map(\.encodingDescription).joined(separator: ", ")
    }

    /// The offerer's most preferred format that Chorus supports.
    static func chooseCodec(
        in media: MediaDescription,
        session: SessionDescription,
        supported: [AudioCodecKind]
    ) -> NegotiatedCodec? {
        for payloadType in media.payloadTypes {
            guard let map = media.rtpMap(for: payloadType), let kind = AudioCodecKind(map), supported.contains(kind) else {
                continue
            }
            return self.negotiatedCodec(kind, payloadType: payloadType, in: media, session: session)
        }
        return nil
    }

    static func negotiatedCodec(
        _ kind: AudioCodecKind,
        payloadType: UInt8,
        in media: MediaDescription,
        session: SessionDescription
    ) -> NegotiatedCodec {
        var opus: OpusParameters?
        if kind == .opus {
            var parameters = OpusParameters(formatParameters: media.formatParameters(for: payloadType))
            parameters.ptime = self.ptime(media, session) ?? parameters.ptime
            parameters.maxptime = self.maxptime(media, session) ?? parameters.maxptime
            opus = parameters
        }
        return NegotiatedCodec(
            kind: kind,
            payloadType: payloadType,
            clockRate: kind.clockRate,
            channels: kind.channels,
            opus: opus
        )
    }

    /// The offered telephone-event: the one at the codec's clock rate, else the first at 8000 or 48000.
    static func chooseTelephoneEvent(
        in media: MediaDescription,
        codecClockRate: Int
    ) -> (format: TelephoneEventFormat, parameters: SDPFormatParameters?)? {
        let offered = media.payloadTypes.compactMap { payloadType -> TelephoneEventFormat? in
            guard let map = media.rtpMap(for: payloadType),
                map.encodingName.lowercased() == "telephone-event",
                map.clockRate == 8_000 || map.clockRate == 48_000
            else { return nil }
            return TelephoneEventFormat(payloadType: payloadType, clockRate: map.clockRate)
        }
        guard let chosen = offered.first(where: { $0.clockRate == codecClockRate }) ?? offered.first else {
            return nil
        }
        return (chosen, media.formatParameters(for: chosen.payloadType))
    }

    /// The decoded key and salt of a crypto line Chorus can use: a known suite, exactly one `inline:` key of the
    /// right length, no MKI (Chorus's SRTP contexts have none) and no session parameters (they weaken or change SRTP).
    static func usableKeyingMaterial(_ crypto: SDPCryptoAttribute) -> [UInt8]? {
        guard let length = SDESKeys.keyingMaterialLength(forSuite: crypto.suite),
            crypto.keyParameters.count == 1,
            crypto.sessionParameters.isEmpty
        else { return nil }
        let key = crypto.keyParameters[0]
        guard key.method.lowercased() == "inline", key.mki == nil,
            let material = key.decodedKeySalt, material.count == length
        else { return nil }
        return material
    }

    /// The first offered crypto line, in offer order, whose suite Chorus supports and whose key is usable.
    static func chooseCrypto(
        in media: MediaDescription,
        capabilities: LocalMediaCapabilities
    ) -> (crypto: SDPCryptoAttribute, remoteKeyingMaterial: [UInt8])? {
        for crypto in media.cryptos where capabilities.supports(suite: crypto.suite) {
            if let material = self.usableKeyingMaterial(crypto) {
                return (crypto, material)
            }
        }
        return nil
    }

    static func ptime(_ media: MediaDescription, _ session: SessionDescription) -> Int? {
        media.ptime ?? session.attributeValues(named: "ptime").lazy.compactMap { DecimalParser.int($0) }.first
    }

    static func maxptime(_ media: MediaDescription, _ session: SessionDescription) -> Int? {
        media.maxptime ?? session.attributeValues(named: "maxptime").lazy.compactMap { DecimalParser.int($0) }.first
    }

    /// The packet time Chorus sends: 20 ms unless the peer prefers 10, 40 or 60, never above its maxptime.
    static func sendPacketTime(ptime: Int?, maxptime: Int?) -> Int {
        let packetTimes = [10, 20, 40, 60]
        var chosen = ptime.flatMap { packetTimes.contains($0) ? $0 : nil } ?? 20
        if let maxptime, chosen > maxptime {
            chosen = packetTimes.last { $0 <= maxptime } ?? packetTimes[0]
        }
        return chosen
    }

    /// Assembles the outcome once the codec, DTMF and keys are chosen.
    static func negotiatedAudio(
        remote media: MediaDescription,
        remoteSession session: SessionDescription,
        codec: NegotiatedCodec,
        telephoneEvent: TelephoneEventFormat?,
        localDirection: MediaDirection,
        rtcpMux: Bool,
        srtp: SDESKeys?
    ) throws(NegotiationFailure) -> NegotiatedAudio {
        guard let connection = media.connection ?? session.connection else {
            throw .badRequest("SDP has no connection address")
        }
        let remoteAddress = connection.isUnspecifiedAddress ? nil : connection.address
        let remoteDirection = media.direction(sessionDefault: session.sessionDirection)
        let rtcp = media.rtcp
        let ptime = self.ptime(media, session) ?? codec.opus?.ptime
        let maxptime = self.maxptime(media, session) ?? codec.opus?.maxptime
        let chorusReceives = localDirection.receives && remoteDirection.sends
        return NegotiatedAudio(
            codec: codec,
            telephoneEvent: telephoneEvent,
            remoteAddress: remoteAddress,
            remoteRTPPort: media.port,
            remoteRTCPPort: rtcpMux ? nil : (rtcp?.port ?? media.port + 1),
            remoteRTCPAddress: rtcpMux || remoteAddress == nil ? nil : (rtcp?.address ?? remoteAddress),
            rtcpMux: rtcpMux,
            remoteDirection: remoteDirection,
            localDirection: localDirection,
            chorusSends: localDirection.sends && remoteDirection.receives && remoteAddress != nil,
            chorusReceives: chorusReceives,
            sendPacketTime: self.sendPacketTime(ptime: ptime, maxptime: maxptime),
            srtp: srtp,
            audioLevelExtensionID: chorusReceives ? media.sentAudioLevelExtensionID : nil
        )
    }
}
