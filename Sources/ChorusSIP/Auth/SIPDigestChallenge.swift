/// A Digest challenge, the value of a `WWW-Authenticate` (401) or `Proxy-Authenticate` (407) header
/// (RFC 3261 §22.4 and §25.1 `digest-cln`, RFC 7616 §3.3, RFC 8760).
public struct SIPDigestChallenge: Hashable, Sendable, CustomStringConvertible {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    /// True when the previous request's nonce had expired but its response was right: the client
    /// should retry with the new nonce without asking the user again.
    public var stale: Bool
    /// Nil when the header named none, which means MD5 (RFC 7616 §3.3).
    public var algorithm: DigestAlgorithm?
    /// The `qop` options offered, e.g. `["auth"]`; empty when the header had no qop (RFC 2069 style).
    public var qopOptions: [String]
    /// Parameters Chorus does not interpret (`domain`, `charset`, `userhash`, ...), values unquoted.
    public var otherParameters: [SIPParameters.Parameter]

    public init(
        realm: String, nonce: String, opaque: String? = nil, stale: Bool = false,
        algorithm: DigestAlgorithm? = nil, qopOptions: [String] = ["auth"],
        otherParameters: [SIPParameters.Parameter] = []
    ) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.stale = stale
        self.algorithm = algorithm
        self.qopOptions = qopOptions
        self.otherParameters = otherParameters
    }

    /// The algorithm to compute with: the named one, or MD5 when none was named.
    public var effectiveAlgorithm: DigestAlgorithm { algorithm ?? .md5 }

    /// Parses a header value such as `Digest realm="chorus", nonce="...", algorithm=SHA-256, qop="auth"`.
    ///
    /// - Throws: ``SIPDigestParseError`` for another scheme, malformed syntax, a repeated parameter,
    ///   a missing realm or nonce, an unsupported algorithm or a stale value other than true/false.
    public init(parsing header: some StringProtocol) throws(SIPDigestParseError) {
        var realm: String?
        var nonce: String?
        var opaque: String?
        var stale = false
        var algorithm: DigestAlgorithm?
        var qopOptions: [String] = []
        var others: [SIPParameters.Parameter] = []

        for parameter in try DigestParameterParser.parse(header) {
            let name = parameter.name.lowercased()
            switch name {
            case "realm": realm = parameter.value
            case "nonce": nonce = parameter.value
            case "opaque": opaque = parameter.value
            case "stale":
                if parameter.value.caseInsensitiveEquals("true") {
                    stale = true
                } else if parameter.value.caseInsensitiveEquals("false") {
                    stale = false
                } else {
                    throw SIPDigestParseError(
                        "stale must be true or false, not \(DigestParameterParser.quotedForError(parameter.value))")
                }
            case "algorithm":
                guard let parsed = DigestAlgorithm(token: parameter.value) else {
                    throw SIPDigestParseError(
                        "unsupported algorithm \(DigestParameterParser.quotedForError(parameter.value))")
                }
                algorithm = parsed
            case "qop":
                qopOptions = parameter.value.split(separator: ",").map { String($0).trimmingSIPWhitespace() }
                    .filter { !$0.isEmpty }
                guard !qopOptions.isEmpty else { throw SIPDigestParseError("qop has no options") }
            default:
                others.append(SIPParameters.Parameter(name: parameter.name, value: parameter.value))
            }
        }
        guard let realm else { throw SIPDigestParseError("challenge has no realm") }
        guard let nonce else { throw SIPDigestParseError("challenge has no nonce") }
        self.init(
            realm: realm, nonce: nonce, opaque: opaque, stale: stale, algorithm: algorithm,
            qopOptions: qopOptions, otherParameters: others)
    }

    /// The header value: `Digest realm="...", nonce="..."[, opaque="..."][, stale=true][, algorithm=...][, qop="..."]`.
    public var serialized: String {
        var parts = [
            "realm=\(DigestParameterParser.quoted(realm))",
            "nonce=\(DigestParameterParser.quoted(nonce))",
        ]
        if let opaque { parts.append("opaque=\(DigestParameterParser.quoted(opaque))") }
        if stale { parts.append("stale=true") }
        if let algorithm { parts.append("algorithm=\(algorithm.rawValue)") }
        if !qopOptions.isEmpty { parts.append("qop=\(DigestParameterParser.quoted(qopOptions.joined(separator: ",")))") }
        for other in otherParameters {
            parts.append("\(other.name)=\(DigestParameterParser.tokenOrQuoted(other.value ?? ""))")
        }
        return "Digest " + parts.joined(separator: ", ")
    }

    public var description: String { serialized }
}
