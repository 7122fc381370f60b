import Crypto

/// What ``DigestAuthenticator/verify(_:method:ha1Lookup:)`` concluded.
public enum DigestVerification: Hashable, Sendable {
    /// The response is right, the nonce fresh and not replayed: the request comes from `username`.
    case valid(username: String)
    /// The response is right but the nonce has expired (or has been forgotten): answer with a new
    /// challenge carrying `stale=true`, and the client retries without asking its user.
    case stale
    /// The request must be rejected (401/407 with a fresh challenge, or 403).
    case invalid(DigestRejection)
}

/// Why credentials were refused. The description is one line, safe to log (no secrets).
public enum DigestRejection: Hashable, Sendable, CustomStringConvertible {
    /// The credentials name another realm than this authenticator's.
    case wrongRealm
    /// The nonce was not made by this authenticator (bad encoding or MAC).
    case badNonce
    /// The algorithm differs from the one the nonce was issued for.
    case algorithmMismatch
    /// A qop other than `auth`.
    case unsupportedQop(String)
    /// The HA1 lookup knows no such user.
    case unknownUser
    /// The response does not match: wrong password, or a different method or URI.
    case wrongResponse
    /// This nonce (with this nonce count) has been used before.
    case replay

    public var description: String {
        switch self {
        case .wrongRealm: "wrong realm"
        case .badNonce: "nonce not issued by this server"
        case .algorithmMismatch: "algorithm differs from the challenge's"
        case .unsupportedQop(let qop): "unsupported qop \(DigestParameterParser.quotedForError(qop))"
        case .unknownUser: "unknown user"
        case .wrongResponse: "wrong response"
        case .replay: "nonce or nonce count replayed"
        }
    }
}

/// The server side of SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760).
///
/// Nonces are stateless to issue: each is `base64url(algorithm ‖ timestamp ‖ serial ‖ MAC)` where
/// the serial counts the nonces this authenticator issued and the MAC is HMAC-SHA256 (truncated to
/// 128 bits) under a secret key over the realm and the other fields. So a nonce is unique and
/// unforgeable, can be checked without having been stored, and one issued for SHA-256 cannot be
/// answered with MD5. Only nonces that have been *used* are tracked, for replay protection: with
/// qop=auth each nonce count may be used once and must increase; without a qop a nonce may be used
/// once. The table holds at most `maxTrackedNonces` entries; when it is full the one used first is
/// forgotten, and from then on any untracked nonce whose serial is not above a forgotten one's is
/// answered `.stale`: forgetting never lets a replay through, the client just re-authenticates.
///
/// Not thread-safe: an authenticator belongs to one event loop (or one actor) and must only be
/// used from there. Give each authenticator its own secret (the default): authenticators that share
/// a secret accept each other's nonces but track replays separately, so a nonce used on one could
/// be replayed once on another.
public final class DigestAuthenticator {
    /// The realm put in challenges and required in credentials.
    public let realm: String
    /// Seconds a nonce stays fresh (300 by default).
    public let nonceLifetime: UInt64
    /// Most used nonces remembered for replay protection.
    public let maxTrackedNonces: Int

    private let key: SymmetricKey
    private let now: () -> UInt64

    private struct NonceUse {
        /// Highest nonce count seen; `UInt32.max` once the nonce was used without a qop.
        var lastCount: UInt32
        var issuedAt: UInt64
        var serial: UInt64
    }
    private var used: [String: NonceUse] = [:]
    /// Nonces in the order of first use; `order[orderHead...]` are the live ones.
    private var order: [String] = []
    private var orderHead = 0
    /// The highest serial among nonces forgotten to bound memory.
    private var forgottenUpTo: UInt64?
    /// Serial of the next nonce issued.
    private var nextSerial: UInt64 = 1

    /// Number of nonces currently remembered (for metrics and tests).
    public var trackedNonceCount: Int { used.count }

    /// - Parameters:
    ///   - realm: the realm, e.g. the server's domain.
    ///   - secret: the MAC key; 32 fresh random bytes when nil (the usual choice, see above).
    ///   - nonceLifetime: seconds a nonce stays fresh.
    ///   - maxTrackedNonces: bound on remembered used nonces (at least 1).
    ///   - now: the clock, in seconds; only differences matter. Defaults to a monotonic clock.
    public init(
        realm: String, secret: [UInt8]? = nil, nonceLifetime: UInt64 = 300, maxTrackedNonces: Int = 10_000,
        now: @escaping () -> UInt64 = DigestAuthenticator.monotonicSeconds
    ) {
        self.realm = realm
        self.key = SymmetricKey(data: secret ?? SecureRandom.bytes(32))
        self.nonceLifetime = nonceLifetime
        self.maxTrackedNonces = max(1, maxTrackedNonces)
        self.now = now
    }

    /// Seconds since this process first asked, from a monotonic clock.
    public static func monotonicSeconds() -> UInt64 {
        UInt64(max(0, (ContinuousClock.now - processStart).components.seconds))
    }
    private static let processStart = ContinuousClock.now

    // MARK: Challenges

    /// A challenge with a fresh nonce, offering qop=auth.
    ///
    /// - Parameters:
    ///   - stale: set when answering a `.stale` verification.
    ///   - algorithm: the algorithm named in the challenge and bound into its nonce.
    public func challenge(stale: Bool = false, algorithm: DigestAlgorithm = .sha256) -> SIPDigestChallenge {
        SIPDigestChallenge(
            realm: realm, nonce: makeNonce(algorithm: algorithm), stale: stale, algorithm: algorithm,
            qopOptions: ["auth"])
    }

    /// One challenge per algorithm, most preferred first: RFC 8760 §2.4 has servers offer SHA-256
    /// before MD5 so that both new and old clients can answer. Send each as its own header.
    public func challenges(
        stale: Bool = false, algorithms: [DigestAlgorithm] = [.sha256, .md5]
    ) -> [SIPDigestChallenge] {
        algorithms.map { challenge(stale: stale, algorithm: $0) }
    }

    // MARK: Verification

    /// Checks credentials from an Authorization or Proxy-Authorization header.
    ///
    /// - Parameters:
    ///   - credentials: the parsed header.
    ///   - method: the request's method (the CSeq method; for ACK and CANCEL, see RFC 3261 §22.1).
    ///   - ha1Lookup: returns `H(username:realm:password)` computed with the given algorithm's hash
    ///     (``DigestAlgorithm/ha1(username:realm:password:)``; the same for MD5 and MD5-sess), or nil
    ///     for an unknown user.
    /// - Returns: `.valid` and records the nonce use; `.stale` for a right answer to an expired or
    ///   forgotten nonce; `.invalid` otherwise.
    public func verify(
        _ credentials: SIPDigestCredentials, method: SIPMethod,
        ha1Lookup: (_ username: String, _ realm: String, _ algorithm: DigestAlgorithm) -> String?
    ) -> DigestVerification {
        guard credentials.realm == realm else { return .invalid(.wrongRealm) }
        guard let nonce = openNonce(credentials.nonce) else { return .invalid(.badNonce) }
        let algorithm = credentials.effectiveAlgorithm
        guard algorithm == nonce.algorithm else { return .invalid(.algorithmMismatch) }
        if let qop = credentials.qop, !qop.caseInsensitiveEquals("auth") {
            return .invalid(.unsupportedQop(qop))
        }
        var count: UInt32?
        if credentials.qop != nil {
            // The parser guarantees nc and cnonce with a qop; a hand-built value may lack them.
            guard let value = credentials.nonceCountValue, value > 0, credentials.cnonce != nil else {
                return .invalid(.wrongResponse)
            }
            count = value
        }
        guard let ha1 = ha1Lookup(credentials.username, realm, algorithm) else { return .invalid(.unknownUser) }

        let sessionHA1 = algorithm.sessionHA1(ha1: ha1, nonce: credentials.nonce, cnonce: credentials.cnonce)
        let ha2 = algorithm.ha2(method: method.rawValue, uri: credentials.uri)
        let expected = algorithm.response(
            ha1: sessionHA1, nonce: credentials.nonce, nonceCount: credentials.nonceCount,
            cnonce: credentials.cnonce, qop: credentials.qop, ha2: ha2)
        guard constantTimeEquals(Array(expected.utf8), Array(credentials.response.lowercased().utf8)) else {
            return .invalid(.wrongResponse)
        }

        let time = now()
        if time > nonce.issuedAt, time - nonce.issuedAt > nonceLifetime { return .stale }

        if var use = used[credentials.nonce] {
            guard let count, count > use.lastCount, use.lastCount != .max else { return .invalid(.replay) }
            use.lastCount = count
            used[credentials.nonce] = use
        } else {
            if let forgottenUpTo, nonce.serial <= forgottenUpTo { return .stale }
            remember(
                credentials.nonce, NonceUse(lastCount: count ?? .max, issuedAt: nonce.issuedAt, serial: nonce.serial),
                time: time)
        }
        return .valid(username: credentials.username)
    }

    // MARK: Nonces

    private static let nonceVersion: UInt8 = 1
    private static let macLength = 16
    /// version, algorithm, 8-byte timestamp, 8-byte serial, MAC.
    private static let nonceLength = 1 + 1 + 8 + 8 + macLength

    private func algorithmCode(_ algorithm: DigestAlgorithm) -> UInt8 {
        switch algorithm {
        case .md5: 1
        case .md5Sess: 2
        case .sha256: 3
        case .sha256Sess: 4
        }
    }

    private func mac(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: Array(realm.utf8))
        hmac.update(data: [0])
        hmac.update(data: body)
        return Array(Array(hmac.finalize()).prefix(Self.macLength))
    }

    private func makeNonce(algorithm: DigestAlgorithm) -> String {
        var bytes: [UInt8] = [Self.nonceVersion, algorithmCode(algorithm)]
        let time = now()
        Self.appendBigEndian(time, to: &bytes)
        Self.appendBigEndian(nextSerial, to: &bytes)
        nextSerial += 1
        bytes += mac(bytes[...])
        return Base64URL.encode(bytes)
    }

    private static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private func openNonce(_ nonce: String) -> (algorithm: DigestAlgorithm, issuedAt: UInt64, serial: UInt64)? {
        guard nonce.utf8.count < 128, let bytes = Base64URL.decode(nonce), bytes.count == Self.nonceLength,
            bytes[0] == Self.nonceVersion
        else { return nil }
        let bodyLength = Self.nonceLength - Self.macLength
        guard constantTimeEquals(mac(bytes[0..<bodyLength]), bytes[bodyLength...]) else { return nil }
        guard let algorithm = DigestAlgorithm.allCases.first(where: { algorithmCode($0) == bytes[1] }) else {
            return nil
        }
        let issuedAt = bytes[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let serial = bytes[10..<18].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (algorithm, issuedAt, serial)
    }

    private func remember(_ nonce: String, _ use: NonceUse, time: UInt64) {
        // Drop expired nonces from the front: they answer .stale whether remembered or not.
        while orderHead < order.count, let front = used[order[orderHead]],
            time > front.issuedAt, time - front.issuedAt > nonceLifetime
        {
            used[order[orderHead]] = nil
            orderHead += 1
        }
        while used.count >= maxTrackedNonces, orderHead < order.count {
            let oldest = order[orderHead]
            if let evicted = used.removeValue(forKey: oldest) {
                forgottenUpTo = max(forgottenUpTo ?? 0, evicted.serial)
            }
            orderHead += 1
        }
        used[nonce] = use
        order.append(nonce)
        if orderHead > 1024, orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }
}
