import ChorusSIP

/// Someone who may authenticate MESSAGE commands, from `commands.users`: `NAME:PASSWORD`, or
/// `NAME;ha1=HEX` (MD5 of `NAME:REALM:PASSWORD`) and/or `;ha1_sha256=HEX` so that no plain
/// password needs to sit in a file. Never printed with its secret.
public struct UserCredential: Sendable, Hashable, CustomStringConvertible {
    public var username: String
    var password: String?
    var ha1MD5: String?
    var ha1SHA256: String?

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `H(username:realm:password)` for `algorithm`, or nil if this credential cannot answer it
    /// (only an MD5 HA1 was configured, say).
    func ha1(realm: String, algorithm: DigestAlgorithm) -> String? {
        if let password { return algorithm.ha1(username: username, realm: realm, password: password) }
        return algorithm.base == .md5 ? ha1MD5 : ha1SHA256
    }

    static func parse(_ text: String) throws(ConfigurationError) -> UserCredential {
        if let colon = text.firstIndex(of: ":"), !text.contains(";") {
            let name = String(text[..<colon])
            let password = String(text[text.index(after: colon)...])
            guard isValidName(name), !password.isEmpty else {
                throw ConfigurationError(message: "a user is NAME:PASSWORD or NAME;ha1=HEX (name: letters, digits, . _ -)")
            }
            return UserCredential(username: name, password: password)
        }
        var parts = text.split(separator: ";").map(String.init)
        guard let name = parts.first, isValidName(name) else {
            throw ConfigurationError(message: "a user is NAME:PASSWORD or NAME;ha1=HEX (name: letters, digits, . _ -)")
        }
        parts.removeFirst()
        var credential = UserCredential(username: name, password: "")
        credential.password = nil
        for part in parts {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            let hex = pair.count == 2 ? pair[1].lowercased() : ""
            let isHex = !hex.isEmpty && hex.allSatisfy(\.isHexDigit)
            switch pair[0].lowercased() {
            case "ha1" where isHex && hex.count == 32: credential.ha1MD5 = hex
            case "ha1_sha256" where isHex && hex.count == 64: credential.ha1SHA256 = hex
            default:
                throw ConfigurationError(message: "user \(name): expected ha1=<32 hex digits> or ha1_sha256=<64 hex digits>")
            }
        }
        guard credential.ha1MD5 != nil || credential.ha1SHA256 != nil else {
            throw ConfigurationError(message: "user \(name) has neither a password nor an HA1")
        }
        return credential
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// Rendered for `chorus check-config` and logs: the secret is never shown.
    public var description: String { "\(username);secret=hidden" }
}
