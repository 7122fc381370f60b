import XCTest
@testable import ChorusSIP

final class DigestAuthenticatorTests: XCTestCase {
    /// A settable clock, so expiry is tested without sleeping.
    final class FakeClock {
        var seconds: UInt64 = 1_000
    }

    private let clock = FakeClock()
    private let users = ["alice": "wonderland", "bob": "builder"]

    private func makeAuthenticator(maxTracked: Int = 100) -> DigestAuthenticator {
        let clock = self.clock
        return DigestAuthenticator(
            realm: "chorus.example", secret: Array(repeating: 7, count: 32), nonceLifetime: 300,
            maxTrackedNonces: maxTracked, now: { clock.seconds })
    }

    private func lookup(_ user: String, _ realm: String, _ algorithm: DigestAlgorithm) -> String? {
        users[user].map { algorithm.ha1(username: user, realm: realm, password: $0) }
    }

    private func answer(
        _ challenge: SIPDigestChallenge, user: String = "alice", password: String? = nil, nc: UInt32 = 1,
        method: SIPMethod = .invite
    ) throws -> SIPDigestCredentials {
        try SIPDigestCredentials(
            answering: challenge, method: method, uri: "sip:room@chorus.example", username: user,
            password: password ?? users[user]!, nonceCount: nc)
    }

    private func verify(_ auth: DigestAuthenticator, _ credentials: SIPDigestCredentials, method: SIPMethod = .invite)
        -> DigestVerification
    {
        auth.verify(credentials, method: method, ha1Lookup: lookup)
    }

    func testRoundTripEveryAlgorithmThroughHeaders() throws {
        let auth = makeAuthenticator()
        for algorithm in DigestAlgorithm.allCases {
            // Through the wire format on both legs, as a real exchange would be.
            let challenge = try SIPDigestChallenge(parsing: auth.challenge(algorithm: algorithm).serialized)
            XCTAssertEqual(challenge.algorithm, algorithm)
            XCTAssertEqual(challenge.qopOptions, ["auth"])
            let credentials = try SIPDigestCredentials(parsing: try answer(challenge).serialized)
            XCTAssertEqual(verify(auth, credentials), .valid(username: "alice"), "\(algorithm)")
        }
    }

    func testNoncesAreFreshAndWellFormed() {
        let auth = makeAuthenticator()
        let a = auth.challenge().nonce, b = auth.challenge().nonce
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a.utf8.count, 46)  // 34 bytes, unpadded base64url
        XCTAssertTrue(a.utf8.allSatisfy(DigestParameterParser.isTokenChar))
        XCTAssertEqual(auth.challenges().map(\.algorithm), [.sha256, .md5])
    }

    func testWrongPasswordIsInvalid() throws {
        let auth = makeAuthenticator()
        let credentials = try answer(auth.challenge(), password: "guess")
        XCTAssertEqual(verify(auth, credentials), .invalid(.wrongResponse))
    }

    func testUnknownUserIsInvalid() throws {
        let auth = makeAuthenticator()
        let credentials = try answer(auth.challenge(), user: "mallory", password: "x")
        XCTAssertEqual(verify(auth, credentials), .invalid(.unknownUser))
    }

    func testDifferentMethodIsInvalid() throws {
        let auth = makeAuthenticator()
        let credentials = try answer(auth.challenge(), method: .register)
        XCTAssertEqual(verify(auth, credentials, method: .invite), .invalid(.wrongResponse))
    }

    func testWrongRealmIsInvalid() throws {
        let auth = makeAuthenticator()
        var challenge = auth.challenge()
        challenge.realm = "elsewhere"
        XCTAssertEqual(verify(auth, try answer(challenge)), .invalid(.wrongRealm))
    }

    func testExpiredNonceIsStaleOnlyWithTheRightPassword() throws {
        let auth = makeAuthenticator()
        let challenge = auth.challenge()
        clock.seconds += 301
        XCTAssertEqual(verify(auth, try answer(challenge)), .stale)
        XCTAssertEqual(verify(auth, try answer(challenge, password: "guess")), .invalid(.wrongResponse))
        // The client retries with the stale=true challenge and gets in.
        let retry = try SIPDigestChallenge(parsing: auth.challenge(stale: true).serialized)
        XCTAssertTrue(retry.stale)
        XCTAssertEqual(verify(auth, try answer(retry)), .valid(username: "alice"))
    }

    func testNonceAtExactLifetimeIsStillFresh() throws {
        let auth = makeAuthenticator()
        let challenge = auth.challenge()
        clock.seconds += 300
        XCTAssertEqual(verify(auth, try answer(challenge)), .valid(username: "alice"))
    }

    func testReplayedNonceCountIsInvalid() throws {
        let auth = makeAuthenticator()
        let challenge = auth.challenge()
        let first = try answer(challenge, nc: 1)
        XCTAssertEqual(verify(auth, first), .valid(username: "alice"))
        XCTAssertEqual(verify(auth, first), .invalid(.replay))
        // A higher count on the same nonce is fine, going back is not.
        XCTAssertEqual(verify(auth, try answer(challenge, nc: 3)), .valid(username: "alice"))
        XCTAssertEqual(verify(auth, try answer(challenge, nc: 2)), .invalid(.replay))
        XCTAssertEqual(verify(auth, try answer(challenge, nc: 4)), .valid(username: "alice"))
    }

    func testNonceWithoutQopIsSingleUse() throws {
        let auth = makeAuthenticator()
        var challenge = auth.challenge(algorithm: .md5)
        challenge.qopOptions = []
        let credentials = try answer(challenge)
        XCTAssertNil(credentials.qop)
        XCTAssertNil(credentials.nonceCount)
        XCTAssertEqual(verify(auth, credentials), .valid(username: "alice"))
        XCTAssertEqual(verify(auth, credentials), .invalid(.replay))
        // Nor may it be reused with a qop afterwards.
        challenge.qopOptions = ["auth"]
        XCTAssertEqual(verify(auth, try answer(challenge, nc: 5)), .invalid(.replay))
    }

    func testTamperedNonceIsInvalid() throws {
        let auth = makeAuthenticator()
        var challenge = auth.challenge()
        var bytes = Array(challenge.nonce.utf8)
        bytes[10] = bytes[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        challenge.nonce = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(verify(auth, try answer(challenge)), .invalid(.badNonce))
        challenge.nonce = "not-a-nonce"
        XCTAssertEqual(verify(auth, try answer(challenge)), .invalid(.badNonce))
        challenge.nonce = String(repeating: "A", count: 10_000)
        XCTAssertEqual(verify(auth, try answer(challenge)), .invalid(.badNonce))
    }

    func testNonceFromAnotherSecretIsInvalid() throws {
        let other = DigestAuthenticator(realm: "chorus.example")
        let auth = makeAuthenticator()
        XCTAssertEqual(verify(auth, try answer(other.challenge())), .invalid(.badNonce))
    }

    func testAlgorithmDowngradeIsInvalid() throws {
        let auth = makeAuthenticator()
        var challenge = auth.challenge(algorithm: .sha256)
        challenge.algorithm = .md5
        XCTAssertEqual(verify(auth, try answer(challenge)), .invalid(.algorithmMismatch))
    }

    func testAuthIntIsRefused() throws {
        let auth = makeAuthenticator()
        var credentials = try answer(auth.challenge())
        credentials.qop = "auth-int"
        XCTAssertEqual(verify(auth, credentials), .invalid(.unsupportedQop("auth-int")))
        var challenge = auth.challenge()
        challenge.qopOptions = ["auth-int"]
        XCTAssertThrowsError(try answer(challenge))
    }

    func testUppercaseHexResponseIsAccepted() throws {
        let auth = makeAuthenticator()
        var credentials = try answer(auth.challenge())
        credentials.response = credentials.response.uppercased()
        XCTAssertEqual(verify(auth, credentials), .valid(username: "alice"))
    }

    func testTrackingIsBoundedAndForgottenNoncesAreNeverReplayable() throws {
        let auth = makeAuthenticator(maxTracked: 4)
        let first = try answer(auth.challenge())
        XCTAssertEqual(verify(auth, first), .valid(username: "alice"))
        clock.seconds += 1
        for _ in 0..<10 {
            XCTAssertEqual(verify(auth, try answer(auth.challenge())), .valid(username: "alice"))
        }
        XCTAssertLessThanOrEqual(auth.trackedNonceCount, 4)
        // The first nonce has been forgotten: its replay must not be accepted.
        XCTAssertEqual(verify(auth, first), .stale)
        // A nonce issued after the forgotten ones still works.
        XCTAssertEqual(verify(auth, try answer(auth.challenge())), .valid(username: "alice"))
    }

    func testExpiredEntriesArePurged() throws {
        let auth = makeAuthenticator(maxTracked: 1_000)
        for _ in 0..<50 { _ = verify(auth, try answer(auth.challenge())) }
        XCTAssertEqual(auth.trackedNonceCount, 50)
        clock.seconds += 1_000
        _ = verify(auth, try answer(auth.challenge()))
        XCTAssertEqual(auth.trackedNonceCount, 1)
    }

    func testRFC7616HA1LookupPathForSIPRealm() throws {
        // An HA1 stored instead of the password answers the same as the password does.
        let auth = makeAuthenticator()
        let challenge = auth.challenge(algorithm: .sha256Sess)
        let ha1 = DigestAlgorithm.sha256.ha1(username: "bob", realm: "chorus.example", password: "builder")
        let credentials = try SIPDigestCredentials(
            answering: challenge, method: .register, uri: "sip:chorus.example", username: "bob", ha1: ha1)
        XCTAssertEqual(verify(auth, credentials, method: .register), .valid(username: "bob"))
    }
}
