/// The SDES keys agreed for a call: one master key and salt per direction.
public struct SDESKeys: Equatable, Sendable {
    /// The crypto suite, e.g. `AES_CM_128_HMAC_SHA1_80`.
    public var suite: String
    /// The peer's master key followed by its salt: protects what Chorus receives.
    public var remoteKeyingMaterial: [UInt8]
    /// Chorus's master key followed by its salt: protects what Chorus sends.
    public var localKeyingMaterial: [UInt8]
    /// The tag of the `a=crypto` line the keys were agreed on.
    public var localTag: Int

    /// Creates a key set.
    public init(suite: String, remoteKeyingMaterial: [UInt8], localKeyingMaterial: [UInt8], localTag: Int) {
        self.suite = suite
        self.remoteKeyingMaterial = remoteKeyingMaterial
        self.localKeyingMaterial = localKeyingMaterial
        self.localTag = localTag
    }

    /// The length of the master key plus master salt for a suite Chorus knows, in bytes; nil for others.
    public static func keyingMaterialLength(forSuite suite: String) -> Int? {
        switch suite.uppercased() {
        case "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32": return 16 + 14
        case "AES_256_CM_HMAC_SHA1_80", "AES_256_CM_HMAC_SHA1_32": return 32 + 14
        case "AEAD_AES_128_GCM": return 16 + 12
        case "AEAD_AES_256_GCM": return 32 + 12
        default: return nil
        }
    }
}

// Keys are secrets: keep them out of logs that print values.
extension SDESKeys: CustomStringConvertible {
    /// The suite and tag, without the keys.
    public var description: String {
        "SDESKeys(suite: \(self.suite), localTag: \(self.localTag), keys: redacted)"
    }
}
