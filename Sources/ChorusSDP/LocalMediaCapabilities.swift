/// What Chorus can do and wants, for negotiating a call's audio.
public struct LocalMediaCapabilities: Sendable {
    /// The supported codecs in Chorus's order of preference (used for its own offers).
    public var codecs: [AudioCodecKind]
    /// Whether SRTP is off, optional or required.
    public var srtpPolicy: SRTPPolicy
    /// The supported SDES suites in Chorus's order of preference; suites Chorus has no key length for are ignored.
    public var cryptoSuites: [String]
    /// Secure random bytes for SDES keys. It must return exactly as many bytes as asked, and never the peer's
    /// key twice in a row: either would be a bug that Chorus traps on rather than send weak keys.
    public var randomBytes: @Sendable (Int) -> [UInt8]

    /// The suites Chorus supports by default, strongest-compatible first.
    public static let defaultCryptoSuites = [
        "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM", "AEAD_AES_256_GCM",
    ]

    /// Creates capabilities.
    public init(
        codecs: [AudioCodecKind] = [.opus, .pcmu, .pcma],
        srtpPolicy: SRTPPolicy = .optional,
        cryptoSuites: [String] = LocalMediaCapabilities.defaultCryptoSuites,
        randomBytes: @escaping @Sendable (Int) -> [UInt8] = LocalMediaCapabilities.systemRandomBytes
    ) {
        self.codecs = codecs
        self.srtpPolicy = srtpPolicy
        self.cryptoSuites = cryptoSuites
        self.randomBytes = randomBytes
    }

    /// Random bytes from `SystemRandomNumberGenerator` (getrandom on Linux).
    public static func systemRandomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Whether a suite is in `cryptoSuites` (ASCII case ignored) and has a known key length.
    func supports(suite: String) -> Bool {
        SDESKeys.keyingMaterialLength(forSuite: suite) != nil
            && self.cryptoSuites.contains { $0.uppercased() == suite.uppercased() }
    }

    /// Fresh keying material for a suite, never equal to `avoiding` (the peer's key must not be reused).
    func freshKeyingMaterial(length: Int, avoiding remote: [UInt8]? = nil) -> [UInt8] {
        var key = self.randomBytes(length)
        if key == remote {
            key = self.randomBytes(length)
        }
        precondition(key.count == length, "randomBytes returned \(key.count) bytes, not \(length)")
        precondition(key != remote, "randomBytes repeated the peer's key")
        return key
    }
}
