/// Answers a Digest challenge (the client side of RFC 3261 §22.2 / RFC 7616 §3.4).
extension SIPDigestCredentials {
    /// Why credentials could not be produced for a challenge.
    public enum AnswerError: Error, Hashable, Sendable {
        /// The challenge offers only qop values other than `auth` (e.g. `auth-int` alone).
        case unsupportedQop([String])
    }

    /// Credentials answering `challenge` for a request, computed from the password.
    ///
    /// Uses qop=auth when offered (with a fresh random cnonce and `nonceCount`, default 1) and the
    /// RFC 2069 form when the challenge offers no qop. The algorithm and opaque are echoed.
    public init(
        answering challenge: SIPDigestChallenge, method: SIPMethod, uri: String, username: String,
        password: String, nonceCount: UInt32 = 1, cnonce: String? = nil
    ) throws(AnswerError) {
        let ha1 = challenge.effectiveAlgorithm.ha1(username: username, realm: challenge.realm, password: password)
        try self.init(
            answering: challenge, method: method, uri: uri, username: username, ha1: ha1,
            nonceCount: nonceCount, cnonce: cnonce)
    }

    /// Credentials answering `challenge`, computed from a stored HA1 `H(username:realm:password)`
    /// made with the challenge's algorithm (its base hash for `-sess`).
    public init(
        answering challenge: SIPDigestChallenge, method: SIPMethod, uri: String, username: String,
        ha1: String, nonceCount: UInt32 = 1, cnonce: String? = nil
    ) throws(AnswerError) {
        let algorithm = challenge.effectiveAlgorithm
        let qop: String?
        if challenge.qopOptions.isEmpty {
            qop = nil
        } else if challenge.qopOptions.contains(where: { $0.caseInsensitiveEquals("auth") }) {
            qop = "auth"
        } else {
            throw .unsupportedQop(challenge.qopOptions)
        }
        // A cnonce is needed with a qop and by -sess even without one.
        let cnonce = (qop != nil || algorithm.isSession) ? (cnonce ?? SecureRandom.bytes(16).hexString) : nil
        let nc: String? = qop != nil ? Self.formatNonceCount(nonceCount) : nil
        let sessionHA1 = algorithm.sessionHA1(ha1: ha1, nonce: challenge.nonce, cnonce: cnonce)
        let ha2 = algorithm.ha2(method: method.rawValue, uri: uri)
        let response = algorithm.response(
            ha1: sessionHA1, nonce: challenge.nonce, nonceCount: nc, cnonce: cnonce, qop: qop, ha2: ha2)
        self.init(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: response,
            algorithm: challenge.algorithm, cnonce: cnonce, opaque: challenge.opaque, qop: qop, nonceCount: nc)
    }

    /// Eight lower-case hex digits, as `nc` travels.
    static func formatNonceCount(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.utf8.count) + hex
    }
}
