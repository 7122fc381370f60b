import XCTest

@testable import ChorusSIP

final class HeaderValueTests: XCTestCase {
    func testSIPURIParts() throws {
        let uri = try SIPURI(parsing: "SIP:alice:secret@Example.COM:5070;transport=TCP;lr?subject=hi%20there&x")
        XCTAssertEqual(uri.scheme, "sip")
        XCTAssertEqual(uri.user, "alice")
        XCTAssertEqual(uri.password, "secret")
        XCTAssertEqual(uri.host, "Example.COM")
        XCTAssertEqual(uri.port, 5070)
        XCTAssertEqual(uri.transportParameter, "tcp")
        XCTAssertEqual(uri.parameters["lr"], .some(nil))
        XCTAssertEqual(uri.headers, [.init(name: "subject", value: "hi%20there"), .init(name: "x", value: nil)])
        XCTAssertEqual(try SIPURI(parsing: uri.description), uri)
    }

    func testIPv6AndOpaqueURIs() throws {
        let v6 = try SIPURI(parsing: "sips:[2001:db8::10]:5071")
        XCTAssertEqual(v6.host, "[2001:db8::10]")
        XCTAssertEqual(v6.port, 5071)
        XCTAssertEqual(v6.scheme, "sips")
        let tel = try SIPURI(parsing: "TEL:+1-201-555-0123")
        XCTAssertEqual(tel, SIPURI(scheme: "tel", opaque: "+1-201-555-0123"))
        XCTAssertEqual(tel.description, "tel:+1-201-555-0123")
    }

    func testBadURIs() {
        for text in [
            "", "sip:", "sip:@host", "sip:host:port", "sip:host:70000", "sip:[::1", "sip:ho st", "<sip:x>", "1sip:x",
            "sip:host;=x", "sip:host;a=", "sip:host?", "nocolon",
        ] {
            XCTAssertThrowsError(try SIPURI(parsing: text), text) { error in
                XCTAssertTrue((error as? SIPParseError)?.reason.hasPrefix("Malformed URI") == true)
            }
        }
    }

    func testDecodedUser() throws {
        XCTAssertEqual(try SIPURI(parsing: "sip:a%40b%2x%zz@h").decodedUser, "a@b%2x%zz")
        XCTAssertNil(try SIPURI(parsing: "sip:h").decodedUser)
    }

    func testNameAddressForms() throws {
        let quoted = try SIPNameAddress(parsing: " \"A \\\"B\\\"\"<sip:a@b;lr>;tag=1 ; expires = 60 ")
        XCTAssertEqual(quoted.displayName, "A \"B\"")
        XCTAssertTrue(quoted.uri.parameters.contains("lr"))
        XCTAssertEqual(quoted.tag, "1")
        XCTAssertEqual(quoted.parameters.value("expires"), "60")

        let tokens = try SIPNameAddress(parsing: "Bob  Smith\t<sip:bob@b>")
        XCTAssertEqual(tokens.displayName, "Bob Smith")

        let spec = try SIPNameAddress(parsing: "sip:c@d;tag=x;lr")
        XCTAssertNil(spec.displayName)
        XCTAssertTrue(spec.uri.parameters.isEmpty)
        XCTAssertEqual(spec.parameters.items.map(\.name), ["tag", "lr"])
        XCTAssertEqual(spec.description, "<sip:c@d>;tag=x;lr")

        XCTAssertTrue(try SIPNameAddress(parsing: "*").isWildcard)
        XCTAssertEqual(try SIPNameAddress(parsing: quoted.description), quoted)
    }

    func testBadNameAddresses() {
        for text in ["", "\"unterminated <sip:a@b>", "<sip:a@b", "sip:a@b>", "<sip:a@b> junk", "<>", "\"x\" sip:a@b", "<sip:a@b>;=1"] {
            XCTAssertThrowsError(try SIPNameAddress(parsing: text), text)
        }
    }

    func testViaList() throws {
        let list = try SIPVia.parseList(
            "SIP/2.0/UDP a.example.com:5060;branch=z9hG4bK1;rport;received=192.0.2.1 ,sip / 2.0 / tcp [::1] : 5061 ; branch=z9hG4bK2;ttl=1;maddr=x")
        XCTAssertEqual(list.count, 2)
        XCTAssertEqual(list[0].protocolName, "SIP/2.0")
        XCTAssertEqual(list[0].branch, "z9hG4bK1")
        XCTAssertTrue(list[0].wantsRport)
        XCTAssertNil(list[0].rport)
        XCTAssertEqual(list[0].received, "192.0.2.1")
        XCTAssertEqual(list[1].transport, "TCP")
        XCTAssertEqual(list[1].host, "[::1]")
        XCTAssertEqual(list[1].port, 5061)
        XCTAssertEqual(list[1].parameters.value("maddr"), "x")
        XCTAssertEqual(try SIPVia.parseList(list.map(\.description).joined(separator: ", ")), list)
        XCTAssertEqual(try SIPVia(parsing: "SIP/2.0/UDP h;rport=5062").rport, 5062)
    }

    func testBadVias() {
        for text in [
            "", "SIP/2.0 host", "SIP/2.0/UDP", "SIP/2.0/UDPhost", "SIP/2.0/UDP host:abc", "SIP/2.0/UDP host;ttl=999",
            "SIP/2.0/UDP host;rport=x", "SIP/2.0/UDP host;branch", "SIP/2.0/UDP host junk",
        ] {
            XCTAssertThrowsError(try SIPVia.parseList(text), text)
        }
    }

    func testCSeq() throws {
        XCTAssertEqual(try SIPCSeq(parsing: " 0   ACK "), SIPCSeq(0, .ack))
        XCTAssertEqual(try SIPCSeq(parsing: "2147483647 X").sequence, 2_147_483_647)
        for text in ["", "1", "INVITE", "-1 INVITE", "2147483648 INVITE", "1 INV ITE", "1INVITE", "1 INV@TE"] {
            XCTAssertThrowsError(try SIPCSeq(parsing: text), text)
        }
    }

    func testHeaderNamesAreCanonical() throws {
        let message = try XCTUnwrap(
            parseOK(
                msg(
                    """
                    OPTIONS sip:x SIP/2.0
                    v: SIP/2.0/UDP h;branch=z9hG4bKn
                    f: <sip:a@b>;tag=1
                    t: <sip:x>
                    i: names
                    CSEQ: 1 OPTIONS
                    user-agent: t
                    WWW-AUTHENTICATE: Digest realm="x"
                    u: dialog
                    r: <sip:y>
                    b: <sip:z>
                    e: gzip
                    X-Mixed-Case: 1


                    """))?.request)
        XCTAssertEqual(
            message.headers.fields.map(\.name),
            ["User-Agent", "WWW-Authenticate", "Allow-Events", "Refer-To", "Referred-By", "Content-Encoding", "X-Mixed-Case"])
    }

    func testSerializerWritesLongNamesAndContentLength() throws {
        let request = try XCTUnwrap(parseOK(Fixtures.bytes("valid", "compact-forms"))?.request)
        let text = String(decoding: request.serialized(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("OPTIONS sip:conf.example.com SIP/2.0\r\nVia: SIP/2.0/TCP client.example.org:5070;branch=z9hG4bKcompact1\r\n"))
        XCTAssertTrue(text.contains("\r\nFrom: <sip:bob@example.org>;tag=abc\r\nTo: <sip:conf.example.com>\r\nCall-ID: compact-1@example.org\r\nCSeq: 2 OPTIONS\r\n"))
        XCTAssertTrue(text.contains("\r\nContact: <sip:bob@client.example.org:5070;transport=tcp>\r\n"))
        XCTAssertTrue(text.hasSuffix("Content-Length: 5\r\n\r\nhello"))

        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        SIPMessage.request(request).write(into: &buffer)
        XCTAssertEqual(Array(buffer.readableBytesView), request.serialized())
    }
}

import NIOCore
