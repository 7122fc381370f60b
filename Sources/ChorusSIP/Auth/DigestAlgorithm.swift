import Crypto

/// A digest algorithm of HTTP/SIP digest authentication (RFC 7616 §3.2, RFC 8760 for SIP).
///
/// The `-sess` variants hash the password-derived HA1 once more with the server nonce and the client
/// nonce (RFC 7616 §3.4.2). Every function returns lower-case hex, as the response and HA1 travel.
public enum DigestAlgorithm: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case md5 = "MD5"
    case md5Sess = "MD5-sess"
    case sha256 = "SHA-256"
    case sha256Sess = "SHA-256-sess"

    /// The algorithm named by an `algorithm=` token, compared case-insensitively; nil when unsupported.
    public init?(token: some StringProtocol) {
        guard let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(token) }) else {
            return nil
        }
        self = match
    }

    public var description: String { rawValue }

    /// Whether this is a `-sess` variant.
    public var isSession: Bool { self == .md5Sess || self == .sha256Sess }

    /// The variant without `-sess`: the one whose hash function the stored HA1 uses.
    public var base: DigestAlgorithm {
        switch self {
        case .md5, .md5Sess: .md5
        case .sha256, .sha256Sess: .sha256
        }
    }

    /// Length in hex characters of a hash made by this algorithm (32 for MD5, 64 for SHA-256).
    public var hexLength: Int { base == .md5 ? 32 : 64 }

    /// The hash of a string's UTF-8 bytes, as lower-case hex.
    public func hash(_ string: String) -> String {
        switch self {
        case .md5, .md5Sess: Insecure.MD5.hash(data: Array(string.utf8)).hexString
        case .sha256, .sha256Sess: SHA256.hash(data: Array(string.utf8)).hexString
        }
    }

    /// `H(username:realm:password)`: what a user store keeps instead of the password. The same for an
    /// algorithm and its `-sess` variant.
    public func ha1(username: String, realm: String, password: String) -> String {
        hash("\(username):\(realm):\(password)")
    }

    /// The HA1 that enters the response: `ha1` itself, or for `-sess` `H(ha1:nonce:cnonce)`.
    public func sessionHA1(ha1: String, nonce: String, cnonce: String?) -> String {
        guard isSession else { return ha1 }
        return hash("\(ha1):\(nonce):\(cnonce ?? "")")
    }

    /// `H(method:uri)`, the HA2 of qop=auth and of no qop.
    public func ha2(method: String, uri: String) -> String {
        hash("\(method):\(uri)")
    }

    /// The request digest. With a qop (`auth`) it is `H(HA1:nonce:nc:cnonce:qop:HA2)`; without one,
    /// the RFC 2069 form `H(HA1:nonce:HA2)`. `ha1` is the one from ``sessionHA1(ha1:nonce:cnonce:)``.
    public func response(
        ha1: String, nonce: String, nonceCount: String?, cnonce: String?, qop: String?, ha2: String
    ) -> String {
        if let qop {
            return hash("\(ha1):\(nonce):\(nonceCount ?? ""):\(cnonce ?? ""):\(qop):\(ha2)")
        }
        return hash("\(ha1):\(nonce):\(ha2)")
    }
}

extension Sequence<UInt8> {
    /// Lower-case hex of the bytes.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
