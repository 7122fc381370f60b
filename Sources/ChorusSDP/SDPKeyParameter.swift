/// One key parameter of an `a=crypto` attribute: `inline:<base64 key||salt>[|<lifetime>][|<MKI>:<length>]`.
public struct SDPKeyParameter: Equatable, Sendable {
    /// The key method; `inline` is the only one defined.
    public var method: String
    /// The base64 master key concatenated with the master salt, as sent.
    public var keySalt: String
    /// The key lifetime as sent (`2^31` or a decimal), if any.
    public var lifetime: String?
    /// The master key identifier and its length as sent (`1:4`), if any.
    public var mki: String?

    /// Creates a key parameter.
    public init(method: String = "inline", keySalt: String, lifetime: String? = nil, mki: String? = nil) {
        self.method = method
        self.keySalt = keySalt
        self.lifetime = lifetime
        self.mki = mki
    }

    /// Parses one key parameter; nil when it is not `<method>:<info>`.
    init?(text: Substring) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let method = text[..<colon]
        let info = text[text.index(after: colon)...].split(separator: "|", omittingEmptySubsequences: false)
        guard !method.isEmpty, let keySalt = info.first, !keySalt.isEmpty, info.count <= 3 else { return nil }
        self.init(method: String(method), keySalt: String(keySalt))
        for field in info.dropFirst() {
            // The MKI is the field with a colon; the lifetime comes before it and has none.
            if field.contains(":") {
                guard self.mki == nil else { return nil }
                self.mki = String(field)
            } else {
                guard self.lifetime == nil, self.mki == nil, !field.isEmpty else { return nil }
                self.lifetime = String(field)
            }
        }
    }

    /// The key parameter as it appears in the attribute.
    public var text: String {
        var text = "\(self.method):\(self.keySalt)"
        if let lifetime = self.lifetime { text += "|\(lifetime)" }
        if let mki = self.mki { text += "|\(mki)" }
        return text
    }

    /// The decoded key and salt, when the base64 is valid.
    public var decodedKeySalt: [UInt8]? {
        Base64.decode(self.keySalt)
    }
}
