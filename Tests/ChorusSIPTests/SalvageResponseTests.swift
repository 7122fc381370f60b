import XCTest

@testable import ChorusSIP

final class SalvageResponseTests: XCTestCase {
    let malformed = msg(
        """
        INVITE <sip:bob@example.com> SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsalv;rport
        Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKouter, SIP/2.0/TCP 198.51.100.2;branch=z9hG4bKouter2
        Max-Forwards: 70
        From: "Alice" <sip:alice@example.com>;tag=from-1
        To: <sip:bob@example.com>
        Call-ID: salvage-me@192.0.2.1
        CSeq: 42 INVITE
        Content-Length: 0


        """)

    func testBadRequestResponseParsesBack() throws {
        let error = try XCTUnwrap(parseError(malformed))
        XCTAssertTrue(error.reason.contains("Request-URI"))
        let salvage = try XCTUnwrap(error.salvage)
        XCTAssertEqual(salvage.method, "INVITE")
        XCTAssertEqual(salvage.topVia.branch, "z9hG4bKsalv")
        XCTAssertEqual(salvage.viaValues.count, 3)

        let wire = salvage.badRequestResponse(reason: "Bad \r\nRequest-URI\u{7}: <é>", toTag: "srv-tag")
        let response = try XCTUnwrap(parseOK(wire, framing: .stream)?.response)
        XCTAssertEqual(response.statusCode, 400)
        XCTAssertEqual(response.reasonPhrase, "Bad Request-URI : <?>")
        XCTAssertEqual(response.via.map(\.branch), ["z9hG4bKsalv", "z9hG4bKouter", "z9hG4bKouter2"])
        XCTAssertEqual(response.callID, "salvage-me@192.0.2.1")
        XCTAssertEqual(response.cseq, SIPCSeq(42, .invite))
        XCTAssertEqual(response.from.tag, "from-1")
        XCTAssertEqual(response.from.displayName, "Alice")
        XCTAssertEqual(response.to.tag, "srv-tag")
        XCTAssertTrue(response.body.isEmpty)
        let text = String(decoding: wire, as: UTF8.self)
        XCTAssertTrue(text.contains("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsalv;rport\r\n"))
        XCTAssertTrue(text.hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    func testExistingToTagIsKept() throws {
        let bytes = msg(
            String(decoding: malformed, as: UTF8.self).replacingOccurrences(
                of: "To: <sip:bob@example.com>", with: "To: <sip:bob@example.com>;tag=dialog-tag"))
        let salvage = try XCTUnwrap(parseError(bytes)?.salvage)
        let response = try XCTUnwrap(parseOK(salvage.badRequestResponse(reason: "x", toTag: "new"))?.response)
        XCTAssertEqual(response.to.tag, "dialog-tag")
    }

    func testVersionNotSupportedResponse() throws {
        let error = try XCTUnwrap(parseError(Fixtures.bytes("invalid", "bad-version")))
        let salvage = try XCTUnwrap(error.salvage)
        let wire = salvage.response(statusCode: error.suggestedStatusCode, reason: "", toTag: "t")
        let response = try XCTUnwrap(parseOK(wire)?.response)
        XCTAssertEqual(response.statusCode, 505)
        XCTAssertEqual(response.reasonPhrase, "Version Not Supported")
    }

    func testNoSalvageForResponsesOrBrokenVia() {
        XCTAssertNil(parseError(Fixtures.bytes("invalid", "response-missing-to"))?.salvage)
        XCTAssertNil(parseError(Fixtures.bytes("invalid", "bad-via"))?.salvage)
    }
}
