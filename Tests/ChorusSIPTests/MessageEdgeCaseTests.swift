import NIOCore
import XCTest

@testable import ChorusSIP

/// Message-level rules not covered by a corpus file of their own.
final class MessageEdgeCaseTests: XCTestCase {
    func request(_ extraHeaders: String, startLine: String = "OPTIONS sip:x@example.com SIP/2.0", body: String = "")
        -> [UInt8]
    {
        msg(
            """
            \(startLine)
            Via: SIP/2.0/UDP h.example.com;branch=z9hG4bKedge
            From: <sip:a@example.com>;tag=1
            To: <sip:x@example.com>
            Call-ID: edge@h.example.com
            CSeq: 1 OPTIONS
            \(extraHeaders)

            \(body)
            """)
    }

    func testWildcardIsRefusedInFromAndTo() {
        let bytes = msg(
            String(decoding: request("Content-Length: 0"), as: UTF8.self).replacingOccurrences(
                of: "To: <sip:x@example.com>", with: "To: *"))
        XCTAssertTrue(parseError(bytes)?.reason.hasPrefix("Malformed To header") == true)
    }

    func testConflictingContentLengths() {
        XCTAssertEqual(
            parseError(request("Content-Length: 0\nl: 3", body: "abc"))?.reason, "Conflicting Content-Length headers")
        // Equal duplicates are harmless.
        XCTAssertEqual(try SIPMessageParser.parse(request("Content-Length: 3\nl: 3", body: "abc"), framing: .datagram).request?.body, Array("abc".utf8))
    }

    func testDatagramBodyRules() throws {
        let exact = try XCTUnwrap(parseOK(request("Content-Length: 3", body: "abc"))?.request)
        XCTAssertEqual(exact.body, Array("abc".utf8))
        let shorter = try XCTUnwrap(parseOK(request("Content-Length: 1", body: "abc"))?.request)
        XCTAssertEqual(shorter.body, Array("a".utf8))
        XCTAssertEqual(parseError(request("Content-Length: 4", body: "abc"))?.reason, "Content-Length larger than datagram")
        XCTAssertEqual(parseError(request("Content-Length: 99999999999", body: "abc"))?.reason, "Invalid Content-Length")
    }

    func testMaxForwardsBounds() throws {
        XCTAssertEqual(try XCTUnwrap(parseOK(request("Max-Forwards: 255"))?.request).maxForwards, 255)
        for bad in ["256", "-1", "abc", "", "7 0"] {
            XCTAssertEqual(parseError(request("Max-Forwards: \(bad)"))?.reason, "Invalid Max-Forwards", bad)
        }
    }

    func testStatusCodeRange() {
        for line in ["SIP/2.0 700 Nope", "SIP/2.0 099 Nope", "SIP/2.0 2000 OK", "SIP/2.0 20 OK", "SIP/2.0 abc OK"] {
            let bytes = msg(
                String(decoding: request(""), as: UTF8.self).replacingOccurrences(
                    of: "OPTIONS sip:x@example.com SIP/2.0", with: line))
            XCTAssertEqual(parseError(bytes)?.reason, "Invalid status code", line)
        }
        let noReason = msg(
            String(decoding: request(""), as: UTF8.self).replacingOccurrences(
                of: "OPTIONS sip:x@example.com SIP/2.0", with: "SIP/2.0 487"))
        XCTAssertEqual(parseOK(noReason)?.response?.reasonPhrase, "")
    }

    func testVersionsAndMethods() {
        XCTAssertNotNil(parseOK(request("", startLine: "OPTIONS sip:x@example.com sip/2.0")))
        XCTAssertEqual(parseError(request("", startLine: "OPTIONS sip:x@example.com SIP/3.10"))?.kind, .versionNotSupported)
        XCTAssertEqual(parseError(request("", startLine: "OPTIONS sip:x@example.com HTTP/1.1"))?.kind, .malformed)
        XCTAssertEqual(parseError(request("", startLine: "OPTIONS sip:x@example.com"))?.kind, .malformed)
        XCTAssertEqual(parseError(request("", startLine: "OPTI\"ONS sip:x@example.com SIP/2.0"))?.reason, "Invalid method")
    }

    func testFoldedTypedHeadersAndContinuationErrors() throws {
        let folded = try XCTUnwrap(
            parseOK(
                msg(
                    """
                    OPTIONS sip:x@example.com SIP/2.0
                    Via: SIP/2.0/UDP h.example.com
                     ;branch=z9hG4bKf,
                     SIP/2.0/UDP second.example.com;branch=z9hG4bKg
                    From:
                     <sip:a@example.com>;tag=1
                    To: <sip:x@example.com>
                    Call-ID: fold@h
                    CSeq: 1 OPTIONS


                    """))?.request)
        XCTAssertEqual(folded.via.map(\.host), ["h.example.com", "second.example.com"])
        XCTAssertEqual(folded.from.tag, "1")

        let continuationFirst = msg("OPTIONS sip:x SIP/2.0\n continued: x\nVia: SIP/2.0/UDP h\n\n")
        XCTAssertEqual(parseError(continuationFirst)?.reason, "Continuation line without a header")
    }

    func testByteBufferWithReaderOffset() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeString("garbage-prefix")
        buffer.writeBytes(request("Content-Length: 0"))
        buffer.moveReaderIndex(forwardBy: "garbage-prefix".utf8.count)
        XCTAssertEqual(try SIPMessageParser.parse(buffer, framing: .stream).callID, "edge@h.example.com")
    }

    func testHeaderOrderAndDuplicatesKept() throws {
        let r = try XCTUnwrap(parseOK(request("Route: <sip:p1;lr>\nX-A: 1\nRoute: <sip:p2;lr>, <sip:p3;lr>"))?.request)
        XCTAssertEqual(r.headers.fields.map(\.name), ["Route", "X-A", "Route"])
        XCTAssertEqual(r.headers.values("route"), ["<sip:p1;lr>", "<sip:p2;lr>", "<sip:p3;lr>"])
    }

    func testSerializedConstructedMessageParses() throws {
        let request = SIPRequest(
            method: .invite, uri: SIPURI(user: "conf", host: "example.com"),
            via: [SIPVia(transport: "udp", host: "192.0.2.1", port: 5060, parameters: [("branch", "z9hG4bKx"), ("rport", nil)])],
            from: SIPNameAddress(displayName: "A \"B\" \\ C", uri: SIPURI(user: "a", host: "example.com"), parameters: [("tag", "t1")]),
            to: SIPNameAddress(uri: SIPURI(user: "conf", host: "example.com")),
            callID: "built@192.0.2.1", cseq: SIPCSeq(1, .invite), headers: ["Subject": "hi", "m": "<sip:a@192.0.2.1>"],
            body: Array("v=0\r\n".utf8))
        let parsed = try SIPMessageParser.parse(request.serialized(), framing: .stream)
        XCTAssertEqual(parsed, .request(request))
    }
}
