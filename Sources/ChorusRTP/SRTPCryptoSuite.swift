/// An SRTP protection profile, named as in SDES `a=crypto` lines (RFC 4568 §6.2, RFC 7714 §14.2).
public enum SRTPCryptoSuite: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// AES-128 counter mode, 80-bit HMAC-SHA1 tag: the suite every SDES endpoint supports.
    case aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
    /// As above with a 32-bit SRTP tag (SRTCP keeps 80 bits).
    case aesCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
    /// AES-128 GCM with a 16-byte tag (RFC 7714).
    case aeadAES128GCM = "AEAD_AES_128_GCM"
    /// AES-256 GCM with a 16-byte tag (RFC 7714).
    case aeadAES256GCM = "AEAD_AES_256_GCM"

    /// The suite for an SDES name, compared exactly (the names are case-sensitive).
    public init?(sdesName: String) { self.init(rawValue: sdesName) }

    /// The SDES name.
    public var sdesName: String { rawValue }
    public var description: String { rawValue }

    /// Master key bytes.
    public var masterKeyLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .aeadAES128GCM: 16
        case .aeadAES256GCM: 32
        }
    }

    /// Master salt bytes: 14 for AES-CM, 12 for AEAD.
    public var masterSaltLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32: 14
        case .aeadAES128GCM, .aeadAES256GCM: 12
        }
    }

    /// Bytes of the `inline:` key parameter: master key followed by master salt.
    public var keyingMaterialLength: Int { masterKeyLength + masterSaltLength }

    /// Bytes SRTP adds to each RTP packet (the authentication tag).
    public var rtpOverhead: Int {
        switch self {
        case .aesCM128HMACSHA1_80: 10
        case .aesCM128HMACSHA1_32: 4
        case .aeadAES128GCM, .aeadAES256GCM: 16
        }
    }
}
