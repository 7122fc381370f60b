import XCTest
@testable import ChorusSIP

final class DigestParsingTests: XCTestCase {
    func testChallengeRoundTrip() throws {
        let challenge = SIPDigestChallenge(
            realm: "chorus \"main\"", nonce: "abc", opaque: "xyz", stale: true, algorithm: .sha256,
            qopOptions: ["auth", "auth-int"])
        let text = challenge.serialized
        XCTAssertEqual(
            text, #"Digest realm="chorus \"main\"", nonce="abc", opaque="xyz", stale=true, algorithm=SHA-256, qop="auth,auth-int""#)
        XCTAssertEqual(try SIPDigestChallenge(parsing: text), challenge)
    }

    func testCredentialsRoundTrip() throws {
        let credentials = SIPDigestCredentials(
            username: #"al\ice"#, realm: "chorus", nonce: "n0", uri: "sip:room@example.com", response: "ab12",
            algorithm: .md5Sess, cnonce: "c0", opaque: "o", qop: "auth", nonceCount: "0000002a")
        let parsed = try SIPDigestCredentials(parsing: credentials.serialized)
        XCTAssertEqual(parsed, credentials)
        XCTAssertEqual(parsed.nonceCountValue, 42)
        XCTAssertTrue(credentials.serialized.contains(#"username="al\\ice""#))
    }

    func testOddButValidChallenge() throws {
        let header = "  digest   QOP = \"auth , auth-int\" ,ALGORITHM=md5 ,, nonce=\"n,1\"\t,\r\n realm = \"r\" , domain=\"sip:a sip:b\", STALE=FALSE  "
        let challenge = try SIPDigestChallenge(parsing: header)
        XCTAssertEqual(challenge.realm, "r")
        XCTAssertEqual(challenge.nonce, "n,1")
        XCTAssertEqual(challenge.algorithm, .md5)
        XCTAssertEqual(challenge.qopOptions, ["auth", "auth-int"])
        XCTAssertFalse(challenge.stale)
        XCTAssertEqual(challenge.otherParameters, [SIPParameters.Parameter(name: "domain", value: "sip:a sip:b")])
    }

    func testChallengeWithoutAlgorithmMeansMD5() throws {
        let challenge = try SIPDigestChallenge(parsing: #"Digest realm="r", nonce="n""#)
        XCTAssertNil(challenge.algorithm)
        XCTAssertEqual(challenge.effectiveAlgorithm, .md5)
        XCTAssertEqual(challenge.qopOptions, [])
    }

    func testOddButValidCredentials() throws {
        // Param order shuffled, unquoted algorithm and qop, quoted qop tolerated, escapes, odd case.
        let header = #"DIGEST Response="0123" , NC=000000ff,qop="auth",uri="sip:x@y",cnonce="c\"q",Nonce=n/1+=,Realm=r,USERNAME="bob""#
        let credentials = try SIPDigestCredentials(parsing: header)
        XCTAssertEqual(credentials.username, "bob")
        XCTAssertEqual(credentials.realm, "r")
        XCTAssertEqual(credentials.nonce, "n/1+=")
        XCTAssertEqual(credentials.cnonce, #"c"q"#)
        XCTAssertEqual(credentials.qop, "auth")
        XCTAssertEqual(credentials.nonceCountValue, 255)
        XCTAssertNil(credentials.algorithm)
    }

    func testGarbageIsRejectedWithAReason() {
        let cases: [(String, String)] = [
            ("", "missing auth scheme"),
            ("Basic dXNlcjpwYXNz", "not Digest"),
            ("Digest", "no parameters"),
            ("Digest   ", "no parameters"),
            ("Digest ,,, ", "no parameters"),
            (#"Digest realm="r", realm="s", nonce="n""#, "duplicate parameter \"realm\""),
            (#"Digest realm="r", REALM="s", nonce="n""#, "duplicate"),
            (#"Digest realm="r" nonce="n""#, "expected ','"),
            (#"Digest realm="r, nonce="n""#, "expected ','"),  // realm is `r, nonce=`, then junk
            (#"Digest realm="r", nonce="n"#, "unterminated"),
            (#"Digest realm="r\"#, "unterminated"),
            (#"Digest realm, nonce="n""#, "has no '='"),
            (#"Digest realm=, nonce="n""#, "invalid value"),
            (#"Digest realm="#, "empty value"),
            (#"Digest =x"#, "expected a parameter name"),
            (#"Digest nonce="n""#, "no realm"),
            (#"Digest realm="r""#, "no nonce"),
            (#"Digest realm="r", nonce="n", algorithm=SHA-512"#, "unsupported algorithm"),
            (#"Digest realm="r", nonce="n", stale=maybe"#, "stale must be"),
            (#"Digest realm="r", nonce="n", qop="""#, "qop has no options"),
            ("Digest realm=\"r\u{01}\", nonce=\"n\"", "control character"),
            // Found by fuzzing: an escaped control character parsed, and could not be written back.
            ("Digest realm=\"r\\\u{1F}\", nonce=\"n\"", "bad escape"),
            ("Digest realm=\"r\\\u{7F}\", nonce=\"n\"", "bad escape"),
            ("Digest\trealm=\"r\", nonce=\"n\", \u{7F}", "expected a parameter name"),
        ]
        for (header, expected) in cases {
            XCTAssertThrowsError(try SIPDigestChallenge(parsing: header), header) { error in
                let reason = (error as? SIPDigestParseError)?.reason ?? ""
                XCTAssertTrue(reason.contains(expected), "\(header.debugDescription): \(reason)")
                XCTAssertFalse(reason.contains("\n"), "reason must be one line")
            }
        }
    }

    func testCredentialsRequireFieldsAndWellFormedNC() {
        let base = #"Digest username="u", realm="r", nonce="n", uri="sip:a", response="00""#
        XCTAssertNoThrow(try SIPDigestCredentials(parsing: base))
        let cases: [(String, String)] = [
            (#"Digest realm="r", nonce="n", uri="sip:a", response="00""#, "no username"),
            (#"Digest username="u", realm="r", nonce="n", response="00""#, "no uri"),
            (base + ", qop=auth, nc=00000001", "without cnonce"),
            (base + #", qop=auth, cnonce="c""#, "without nc"),
            (base + #", qop=auth, cnonce="c", nc=1"#, "8 hex digits"),
            (base + #", qop=auth, cnonce="c", nc=0000000g"#, "8 hex digits"),
            (base + #", qop=auth, cnonce="c", nc=+0000001"#, "8 hex digits"),
            (base + ", algorithm=SHA1", "unsupported algorithm"),
        ]
        for (header, expected) in cases {
            XCTAssertThrowsError(try SIPDigestCredentials(parsing: header), header) { error in
                let reason = (error as? SIPDigestParseError)?.reason ?? ""
                XCTAssertTrue(reason.contains(expected), "\(header): \(reason)")
            }
        }
    }

    /// Random and mutated inputs: the parsers must throw or succeed, never trap.
    func testNoCrashOnRandomInput() {
        var rng = SplitMix64(seed: 0x5EED)
        let seeds = [
            #"Digest username="u", realm="r", nonce="n", uri="sip:a", response="00", qop=auth, nc=00000001, cnonce="c""#,
            #"Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth", stale=true"#,
        ]
        let alphabet = Array(#"Digest =,"\ \ta-z09/+rnqopc"#.utf8) + [0x00, 0x0A, 0x0D, 0x7F, 0xC3, 0xA9]
        for iteration in 0..<20_000 {
            var bytes = Array(seeds[iteration % seeds.count].utf8)
            for _ in 0..<Int(rng.next() % 6) {
                let position = Int(rng.next() % UInt64(bytes.count + 1))
                switch rng.next() % 3 {
                case 0: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
                case 1 where position < bytes.count: bytes.remove(at: position)
                default: if position < bytes.count { bytes[position] = UInt8(truncatingIfNeeded: rng.next()) }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? SIPDigestChallenge(parsing: text)
            _ = try? SIPDigestCredentials(parsing: text)
        }
    }
}

