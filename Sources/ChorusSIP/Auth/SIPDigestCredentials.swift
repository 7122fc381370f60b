/// Digest credentials, the value of an `Authorization` or `Proxy-Authorization` header
/// (RFC 3261 §22.4 and §25.1 `digest-response`, RFC 7616 §3.4, RFC 8760).
public struct SIPDigestCredentials: Hashable, Sendable, CustomStringConvertible {
    public var username: String
    public var realm: String
    public var nonce: String
    /// The `digest-uri`: the Request-URI as the client wrote it.
    public var uri: String
    /// The request digest, lower-case hex.
    public var response: String
    /// Nil when the header named none, which means MD5.
    public var algorithm: DigestAlgorithm?
    public var cnonce: String?
    public var opaque: String?
    /// `auth` (or `auth-int`) when the client used a qop; nil for the RFC 2069 form.
    public var qop: String?
    /// The nonce count exactly as sent: eight hex digits, e.g. `00000001`. It enters the hash as text.
    public var nonceCount: String?
    /// Parameters Chorus does not interpret, values unquoted.
    public var otherParameters: [SIPParameters.Parameter]

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String,
        algorithm: DigestAlgorithm? = nil, cnonce: String? = nil, opaque: String? = nil, qop: String? = nil,
        nonceCount: String? = nil, otherParameters: [SIPParameters.Parameter] = []
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.cnonce = cnonce
        self.opaque = opaque
        self.qop = qop
        self.nonceCount = nonceCount
        self.otherParameters = otherParameters
    }

    /// The algorithm to compute with: the named one, or MD5 when none was named.
    public var effectiveAlgorithm: DigestAlgorithm { algorithm ?? .md5 }

    /// ``nonceCount`` as a number, nil when absent.
    public var nonceCountValue: UInt32? { nonceCount.flatMap { UInt32($0, radix: 16) } }

    /// Parses a header value such as
    /// `Digest username="alice", realm="chorus", nonce="...", uri="sip:room@example.com", response="...", qop=auth, nc=00000001, cnonce="..."`.
    ///
    /// - Throws: ``SIPDigestParseError`` for another scheme, malformed syntax, a repeated parameter, a
    ///   missing username/realm/nonce/uri/response, an unsupported algorithm, an `nc` that is not eight
    ///   hex digits, or a qop without both cnonce and nc.
    public init(parsing header: some StringProtocol) throws(SIPDigestParseError) {
        var fields: [String: String] = [:]
        var algorithm: DigestAlgorithm?
        var others: [SIPParameters.Parameter] = []
        let known: Set<String> = ["username", "realm", "nonce", "uri", "response", "cnonce", "opaque", "qop", "nc"]

        for parameter in try DigestParameterParser.parse(header) {
            let name = parameter.name.lowercased()
            if name == "algorithm" {
                guard let parsed = DigestAlgorithm(token: parameter.value) else {
                    throw SIPDigestParseError(
                        "unsupported algorithm \(DigestParameterParser.quotedForError(parameter.value))")
                }
                algorithm = parsed
            } else if known.contains(name) {
                fields[name] = parameter.value
            } else {
                others.append(SIPParameters.Parameter(name: parameter.name, value: parameter.value))
            }
        }
        func required(_ name: String) throws(SIPDigestParseError) -> String {
            guard let value = fields[name] else { throw SIPDigestParseError("credentials have no \(name)") }
            return value
        }
        let nonceCount = fields["nc"]
        if let nonceCount {
            guard nonceCount.utf8.count == 8, nonceCount.utf8.allSatisfy(\.isHexDigit) else {
                throw SIPDigestParseError(
                    "nc must be 8 hex digits, not \(DigestParameterParser.quotedForError(nonceCount))")
            }
        }
        if fields["qop"] != nil {
            guard fields["cnonce"] != nil else { throw SIPDigestParseError("qop given without cnonce") }
            guard nonceCount != nil else { throw SIPDigestParseError("qop given without nc") }
        }
        self.init(
            username: try required("username"), realm: try required("realm"), nonce: try required("nonce"),
            uri: try required("uri"), response: try required("response"), algorithm: algorithm,
            cnonce: fields["cnonce"], opaque: fields["opaque"], qop: fields["qop"], nonceCount: nonceCount,
            otherParameters: others)
    }

    /// The header value, RFC 3261 order: username, realm, nonce, uri, response, then the optional ones.
    public var serialized: String {
        var parts = [
            "username=\(DigestParameterParser.quoted(username))",
            "realm=\(DigestParameterParser.quoted(realm))",
            "nonce=\(DigestParameterParser.quoted(nonce))",
            "uri=\(DigestParameterParser.quoted(uri))",
            "response=\(DigestParameterParser.quoted(response))",
        ]
        if let algorithm { parts.append("algorithm=\(algorithm.rawValue)") }
        if let cnonce { parts.append("cnonce=\(DigestParameterParser.quoted(cnonce))") }
        if let opaque { parts.append("opaque=\(DigestParameterParser.quoted(opaque))") }
        if let qop { parts.append("qop=\(DigestParameterParser.tokenOrQuoted(qop))") }
        if let nonceCount { parts.append("nc=\(nonceCount)") }
        for other in otherParameters {
            parts.append("\(other.name)=\(DigestParameterParser.tokenOrQuoted(other.value ?? ""))")
        }
        return "Digest " + parts.joined(separator: ", ")
    }

    public var description: String { serialized }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
