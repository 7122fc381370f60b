import XCTest
@testable import ChorusSIP

final class DigestAlgorithmTests: XCTestCase {
    // RFC 7616 §3.9.1: GET /dir/index.html, user Mufasa, password "Circle of Life".
    private let rfc7616Nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
    private let rfc7616CNonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

    private func rfc7616Response(_ algorithm: DigestAlgorithm) -> String {
        let ha1 = algorithm.ha1(username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life")
        let ha2 = algorithm.ha2(method: "GET", uri: "/dir/index.html")
        return algorithm.response(
            ha1: ha1, nonce: rfc7616Nonce, nonceCount: "00000001", cnonce: rfc7616CNonce, qop: "auth", ha2: ha2)
    }

    func testRFC7616SHA256Response() {
        XCTAssertEqual(rfc7616Response(.sha256), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
    }

    func testRFC7616MD5Response() {
        XCTAssertEqual(rfc7616Response(.md5), "8ca523f5e9506fed4657c9700eebdbec")
    }

    func testRFC7616ExampleParsesAndMatches() throws {
        let header = """
            Digest username="Mufasa",
                   realm="http-auth@example.org",
                   uri="/dir/index.html",
                   algorithm=SHA-256,
                   nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                   nc=00000001,
                   cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                   qop=auth,
                   response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
                   opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
            """
        let credentials = try SIPDigestCredentials(parsing: header)
        XCTAssertEqual(credentials.algorithm, .sha256)
        XCTAssertEqual(credentials.nonceCountValue, 1)
        XCTAssertEqual(credentials.opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")
        XCTAssertEqual(credentials.response, rfc7616Response(.sha256))
    }

    // RFC 2617 §3.5: the classic MD5 example.
    func testRFC2617MD5KnownValues() {
        let md5 = DigestAlgorithm.md5
        let ha1 = md5.ha1(username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life")
        XCTAssertEqual(ha1, "939e7578ed9e3c518a452acee763bce9")
        let ha2 = md5.ha2(method: "GET", uri: "/dir/index.html")
        XCTAssertEqual(ha2, "39aff3a2bab6126f332b942af96d3366")
        let response = md5.response(
            ha1: ha1, nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", nonceCount: "00000001", cnonce: "0a4f113b",
            qop: "auth", ha2: ha2)
        XCTAssertEqual(response, "6629fae49393a05397450978507c4ef1")
    }

    func testSessionHA1HashesNonceAndCNonce() {
        let base = DigestAlgorithm.md5.ha1(username: "u", realm: "r", password: "p")
        XCTAssertEqual(DigestAlgorithm.md5.sessionHA1(ha1: base, nonce: "n", cnonce: "c"), base)
        XCTAssertEqual(DigestAlgorithm.md5Sess.sessionHA1(ha1: base, nonce: "n", cnonce: "c"), DigestAlgorithm.md5.hash("\(base):n:c"))
        XCTAssertEqual(DigestAlgorithm.sha256Sess.base, .sha256)
        XCTAssertEqual(DigestAlgorithm.sha256.hash("").count, 64)
    }

    func testAlgorithmTokensAreCaseInsensitive() {
        XCTAssertEqual(DigestAlgorithm(token: "sha-256"), .sha256)
        XCTAssertEqual(DigestAlgorithm(token: "md5-SESS"), .md5Sess)
        XCTAssertNil(DigestAlgorithm(token: "SHA-512-256"))
    }

    func testBase64URLRoundTripAndRejects() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            XCTAssertEqual(Base64URL.decode(Base64URL.encode(bytes)), bytes, "length \(length)")
        }
        XCTAssertNil(Base64URL.decode("ab=c"))
        XCTAssertNil(Base64URL.decode("a"))
        XCTAssertNil(Base64URL.decode("AB"))  // non-zero trailing bits
    }
}
