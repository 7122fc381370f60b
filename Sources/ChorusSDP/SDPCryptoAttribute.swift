/// An SDES `a=crypto` attribute (RFC 4568): `<tag> <suite> inline:<key||salt>[|<lifetime>][|<MKI>:<length>] [<session params>]`.
public struct SDPCryptoAttribute: Equatable, Sendable {
    /// The tag that the answer echoes to say which offered line it accepted.
    public var tag: Int

    /// The crypto suite, e.g. `AES_CM_128_HMAC_SHA1_80`.
    public var suite: String

    /// The key parameters; nearly always exactly one.
    public var keyParameters: [SDPKeyParameter]

    /// Session parameters such as `UNENCRYPTED_SRTP` or `KDR=…`, as sent.
    public var sessionParameters: [String]

    /// Creates an attribute.
    public init(tag: Int, suite: String, keyParameters: [SDPKeyParameter], sessionParameters: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keyParameters = keyParameters
        self.sessionParameters = sessionParameters
    }

    /// Parses the value of an `a=crypto` attribute; nil when it is malformed.
    public init?(attributeValue: String) {
        let tokens = attributeValue.split(separator: " ")
        guard tokens.count >= 3,
            tokens[0].utf8.count <= 9,
            let tag = DecimalParser.int(tokens[0]),
            !tokens[1].isEmpty
        else { return nil }
        var keyParameters: [SDPKeyParameter] = []
        for text in tokens[2].split(separator: ";", omittingEmptySubsequences: false) {
            guard let keyParameter = SDPKeyParameter(text: text) else { return nil }
            keyParameters.append(keyParameter)
        }
        self.init(
            tag: tag,
            suite: String(tokens[1]),
            keyParameters: keyParameters,
            sessionParameters: tokens.dropFirst(3).map(String.init)
        )
    }

    /// The attribute value, e.g. `"1 AES_CM_128_HMAC_SHA1_80 inline:…"`.
    public var attributeValue: String {
        let keys = self.keyParameters.map(\.text).joined(separator: ";")
        return ([String(self.tag), self.suite, keys] + self.sessionParameters).joined(separator: " ")
    }
}
