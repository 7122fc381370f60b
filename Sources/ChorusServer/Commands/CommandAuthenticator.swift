import ChorusRateLimit
import ChorusSIP
import Logging
import NIOCore

/// Decides who sent a MESSAGE command: digest authentication (RFC 3261 §22 with RFC 8760's
/// SHA-256) against `commands.users`, with a limit on failures per source address.
///
/// Every challenge carries fresh nonces (by default SHA-256 and MD5, `qop=auth`); nonces expire and cannot be
/// replayed (``DigestAuthenticator``); a right answer to an expired nonce is challenged again
/// with `stale=true`. Wrong credentials, and unknown users alike, get 403. Each source address has
/// a token bucket of failures (`commands.max_failures_per_minute`, refilling at that many a
/// minute); once it is empty, the source is ``Outcome/overLimit(retryAfter:)`` without its
/// credentials even being checked, until a token is back. Lives on the SIP event loop.
final class CommandAuthenticator {
    enum Outcome: Equatable {
        /// The user proved who they are.
        case authenticated(username: String)
        /// Answer 401 with these headers: one WWW-Authenticate per offered algorithm.
        case challenge(SIPHeaders)
        /// Answer 403 with this reason.
        case forbidden(String)
        /// The source has used up its failures: answer 503 with this Retry-After, or nothing.
        case overLimit(retryAfter: Int)
    }

    let realm: String
    private let users: [String: UserCredential]
    let admins: Set<String>
    /// Offered in this order, one challenge each (`commands.digest_algorithms`).
    private let algorithms: [DigestAlgorithm]
    private let digest: DigestAuthenticator
    private var failures: KeyedRateLimiter<String>
    private let logger: Logger
    private let now: () -> NIODeadline

    init(configuration: ChorusConfiguration.Commands, logger: Logger, now: @escaping () -> NIODeadline = { .now() }) {
        realm = configuration.realm
        users = Dictionary(configuration.users.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })
        admins = Set(configuration.admins)
        digest = DigestAuthenticator(realm: configuration.realm)
        failures = KeyedRateLimiter(
            capacity: configuration.maxFailuresPerMinute, perSecond: Double(configuration.maxFailuresPerMinute) / 60, maxKeys: 10_000)
        algorithms = configuration.digestAlgorithms
        self.logger = logger
        self.now = now
    }

    func isAdmin(_ username: String) -> Bool { admins.contains(username) }

    /// Whether `username` is one of `commands.users`.
    func knows(_ username: String) -> Bool { users[username] != nil }

    /// Checks the request's Authorization header.
    func authenticate(_ request: SIPRequest, from source: SocketAddress) -> Outcome {
        let address = source.ipAddress ?? "?"
        let time = now().uptimeNanoseconds
        if failures.isLimited(address, now: time) {
            logger.warning("request from \(address) refused: too many failed authentications")
            return .overLimit(retryAfter: failures.retryAfter(address, now: time))
        }
        guard let header = request.headers["Authorization"] else {
            return challenge(stale: false)
        }
        guard let credentials = try? SIPDigestCredentials(parsing: header) else {
            recordFailure(address, now: time, why: "unreadable credentials")
            return .forbidden("Bad Credentials")
        }
        let verification = digest.verify(credentials, method: request.method) { username, realm, algorithm in
            users[username]?.ha1(realm: realm, algorithm: algorithm)
        }
        switch verification {
        case .valid:
            return .authenticated(username: credentials.username)
        case .stale:
            return challenge(stale: true)
        case .invalid(let rejection):
            recordFailure(address, now: time, why: "\(rejection) for user \(credentials.username)")
            return .forbidden("Bad Credentials")
        }
    }

    private func challenge(stale: Bool) -> Outcome {
        var headers = SIPHeaders()
        for challenge in digest.challenges(stale: stale, algorithms: algorithms) {
            headers.add("WWW-Authenticate", challenge.description)
        }
        return .challenge(headers)
    }

    private func recordFailure(_ address: String, now: UInt64, why: String) {
        _ = failures.take(address, now: now)
        logger.warning("failed authentication from \(address): \(why)")
    }
}
