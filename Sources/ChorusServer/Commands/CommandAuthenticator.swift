import ChorusSIP
import Logging
import NIOCore

/// Decides who sent a MESSAGE command: digest authentication (RFC 3261 §22 with RFC 8760's
/// SHA-256) against `commands.users`, with a limit on failures per source address.
///
/// Every challenge carries fresh nonces (by default SHA-256 and MD5, `qop=auth`); nonces expire and cannot be
/// replayed (``DigestAuthenticator``); a right answer to an expired nonce is challenged again
/// with `stale=true`. Wrong credentials get 403. A source address with too many failures in a
/// minute gets 403 for the rest of the minute, without its credentials even being checked. Lives
/// on the SIP event loop.
final class CommandAuthenticator {
    enum Outcome: Equatable {
        /// The user proved who they are.
        case authenticated(username: String)
        /// Answer 401 with these headers: one WWW-Authenticate per offered algorithm.
        case challenge(SIPHeaders)
        /// Answer 403 with this reason.
        case forbidden(String)
    }

    let realm: String
    private let users: [String: UserCredential]
    let admins: Set<String>
    /// Offered in this order, one challenge each (`commands.digest_algorithms`).
    private let algorithms: [DigestAlgorithm]
    private let digest: DigestAuthenticator
    private let maxFailuresPerMinute: Int
    private var failures: [String: (minute: Int64, count: Int)] = [:]
    private let logger: Logger
    private let now: () -> NIODeadline

    init(configuration: ChorusConfiguration.Commands, logger: Logger, now: @escaping () -> NIODeadline = { .now() }) {
        realm = configuration.realm
        users = Dictionary(configuration.users.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })
        admins = Set(configuration.admins)
        digest = DigestAuthenticator(realm: configuration.realm)
        maxFailuresPerMinute = configuration.maxFailuresPerMinute
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
        let minute = now().uptimeNanoseconds.dividedReportingOverflow(by: 60_000_000_000).partialValue
        if let record = failures[address], record.minute == Int64(minute), record.count >= maxFailuresPerMinute {
            logger.warning("command from \(address) refused: too many failed authentications")
            return .forbidden("Too Many Failed Attempts")
        }
        guard let header = request.headers["Authorization"] else {
            return challenge(stale: false)
        }
        guard let credentials = try? SIPDigestCredentials(parsing: header) else {
            recordFailure(address, minute: Int64(minute), why: "unreadable credentials")
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
            recordFailure(address, minute: Int64(minute), why: "\(rejection) for user \(credentials.username)")
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

    private func recordFailure(_ address: String, minute: Int64, why: String) {
        var record = failures[address] ?? (minute, 0)
        if record.minute != minute { record = (minute, 0) }
        record.count += 1
        failures[address] = record
        if failures.count > 10_000 { failures = failures.filter { $0.value.minute == minute } }
        logger.warning("failed command authentication from \(address): \(why)")
    }
}
