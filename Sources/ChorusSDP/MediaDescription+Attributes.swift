extension MediaDescription {
    /// The values of the attributes with the given name (ASCII case ignored); `""` for flags.
    public func attributeValues(named name: String) -> [String] {
        self.attributes.filter { $0.hasName(name) }.map { $0.value ?? "" }
    }

    /// Whether an attribute with the given name is present (ASCII case ignored).
    public func hasAttribute(named name: String) -> Bool {
        self.attributes.contains { $0.hasName(name) }
    }

    /// The formats that are RTP payload type numbers (0–127), in order.
    public var payloadTypes: [UInt8] {
        self.formats.compactMap { format in
            guard let number = DecimalParser.int(format), number <= 127 else { return nil }
            return UInt8(number)
        }
    }

    /// What the payload type stands for: its `a=rtpmap`, else its RFC 3551 static meaning.
    public func rtpMap(for payloadType: UInt8) -> SDPRTPMap? {
        for value in self.attributeValues(named: "rtpmap") {
            if let map = SDPRTPMap(attributeValue: value), map.payloadType == payloadType {
                return map
            }
        }
        return SDPRTPMap.staticAudio(payloadType: payloadType)
    }

    /// The `a=fmtp` parameters of the payload type, if any.
    public func formatParameters(for payloadType: UInt8) -> SDPFormatParameters? {
        for value in self.attributeValues(named: "fmtp") {
            let parts = value.split(separator: " ", maxSplits: 1)
            if let first = parts.first, DecimalParser.int(first) == Int(payloadType) {
                return SDPFormatParameters(text: parts.count == 2 ? String(parts[1]) : "")
            }
        }
        return nil
    }

    /// The stream's direction: its own attribute, else the session-level default, else `sendrecv`.
    public func direction(sessionDefault: MediaDirection? = nil) -> MediaDirection {
        self.attributes.lazy.compactMap { MediaDirection(rawValue: $0.name.lowercased()) }.first
            ?? sessionDefault ?? .sendrecv
    }

    /// Whether `a=rtcp-mux` (RFC 5761) is present.
    public var rtcpMux: Bool {
        self.hasAttribute(named: "rtcp-mux")
    }

    /// The `a=rtcp` attribute (RFC 3605), if present and well formed.
    public var rtcp: SDPRTCPAttribute? {
        self.attributeValues(named: "rtcp").lazy.compactMap { SDPRTCPAttribute(attributeValue: $0) }.first
    }

    /// `a=ptime` in milliseconds, if present (a fraction such as `20.0` is cut to its whole part).
    public var ptime: Int? {
        self.attributeValues(named: "ptime").lazy.compactMap(Self.milliseconds).first
    }

    /// `a=maxptime` in milliseconds, if present.
    public var maxptime: Int? {
        self.attributeValues(named: "maxptime").lazy.compactMap(Self.milliseconds).first
    }

    /// The well-formed `a=crypto` attributes, in order.
    public var cryptos: [SDPCryptoAttribute] {
        self.attributeValues(named: "crypto").compactMap { SDPCryptoAttribute(attributeValue: $0) }
    }

    private static func milliseconds(_ value: String) -> Int? {
        let whole = value.trimmingSpaces.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let milliseconds = DecimalParser.int(whole), milliseconds > 0 else { return nil }
        return milliseconds
    }
}
