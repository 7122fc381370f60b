/// An `a=extmap:<id>[/<direction>] <URI> [<attributes>]` attribute (RFC 8285 §8): the RTP header
/// extension the sender will put under a local identifier.
public struct SDPExtensionMap: Equatable, Sendable {
    /// RFC 6464 client-to-mixer audio level: each packet carries the sender's level and voice flag.
    public static let clientToMixerAudioLevelURI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

    /// The local identifier: 1–14 in the one-byte form, up to 255 in the two-byte form.
    public var id: UInt8
    /// The direction the extension is used in, when the attribute names one.
    public var direction: MediaDirection?
    /// The extension's name, e.g. ``clientToMixerAudioLevelURI``.
    public var uri: String
    /// Anything after the URI (e.g. `vad=on` for audio levels), unparsed.
    public var extensionAttributes: String?

    /// Creates the attribute.
    public init(id: UInt8, direction: MediaDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    /// Parses the attribute value, e.g. `"1/sendonly urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on"`.
    /// Identifiers outside 1–255 (0 and 15 are reserved in the one-byte form, 4095 is not RTP's) are rejected.
    public init?(attributeValue: String) {
        let tokens = attributeValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard tokens.count >= 2 else { return nil }
        let idAndDirection = tokens[0].split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let id = DecimalParser.int(idAndDirection[0]), (1...255).contains(id), id != 15 else { return nil }
        if idAndDirection.count == 2 {
            guard let direction = MediaDirection(rawValue: idAndDirection[1].lowercased()) else { return nil }
            self.direction = direction
        } else {
            self.direction = nil
        }
        self.id = UInt8(id)
        self.uri = String(tokens[1])
        self.extensionAttributes = tokens.count == 3 ? String(tokens[2]) : nil
    }

    /// The attribute value.
    public var attributeValue: String {
        var value = String(self.id)
        if let direction = self.direction { value += "/" + direction.rawValue }
        value += " " + self.uri
        if let extensionAttributes = self.extensionAttributes { value += " " + extensionAttributes }
        return value
    }

    /// Whether a stream whose SDP says `direction` for this extension sends it.
    var isSent: Bool { self.direction?.sends ?? true }
}

extension MediaDescription {
    /// The well-formed `a=extmap` attributes, in order.
    public var extensionMaps: [SDPExtensionMap] {
        self.attributeValues(named: "extmap").compactMap { SDPExtensionMap(attributeValue: $0) }
    }

    /// The identifier under which this stream's sender puts RFC 6464 audio levels, if it does.
    var sentAudioLevelExtensionID: UInt8? {
        self.extensionMaps.first { $0.uri.lowercased() == SDPExtensionMap.clientToMixerAudioLevelURI && $0.isSent }?.id
    }
}
