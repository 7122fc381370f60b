import XCTest

@testable import ChorusSIP

/// Every file in Fixtures/valid parses, has its fields checked, and survives parse → serialize → parse.
final class ValidCorpusTests: XCTestCase {
    typealias Check = @Sendable (SIPMessage) throws -> Void

    static let checks: [String: Check] = [
        "invite-sdp": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .invite)
            XCTAssertEqual(r.uri.user, "room-42")
            XCTAssertEqual(r.uri.host, "conf.example.com")
            XCTAssertEqual(r.via.count, 1)
            XCTAssertEqual(r.topBranch, "z9hG4bK776asdhds")
            XCTAssertTrue(r.via[0].wantsRport)
            XCTAssertNil(r.via[0].rport)
            XCTAssertEqual(r.via[0].port, 5060)
            XCTAssertEqual(r.maxForwards, 70)
            XCTAssertEqual(r.from.displayName, "Alice Example")
            XCTAssertEqual(r.from.tag, "1928301774")
            XCTAssertEqual(r.to.displayName, "Room 42")
            XCTAssertNil(r.to.tag)
            XCTAssertEqual(r.callID, "a84b4c76e66710@pc33.example.org")
            XCTAssertEqual(r.cseq, SIPCSeq(314159, .invite))
            XCTAssertEqual(r.headers["content-type"], "application/sdp")
            XCTAssertEqual(r.headers.tokens("Allow").count, 7)
            XCTAssertFalse(r.headers.contains("Content-Length"))
            XCTAssertEqual(r.headers.fields.map(\.name), ["Contact", "Allow", "Supported", "User-Agent", "Content-Type"])
            let contact = try SIPNameAddress(parsing: XCTUnwrap(r.headers["Contact"]))
            XCTAssertEqual(contact.uri.transportParameter, "udp")
            let body = String(decoding: r.body, as: UTF8.self)
            XCTAssertTrue(body.hasPrefix("v=0\r\n"))
            XCTAssertTrue(body.hasSuffix("a=sendrecv\r\n"))
        },
        "compact-forms": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .options)
            XCTAssertEqual(r.via.map(\.host), ["client.example.org", "relay.example.net"])
            XCTAssertEqual(r.via.map(\.transport), ["TCP", "UDP"])
            XCTAssertEqual(r.from.tag, "abc")
            XCTAssertEqual(r.to.uri.host, "conf.example.com")
            XCTAssertEqual(r.callID, "compact-1@example.org")
            XCTAssertNil(r.maxForwards)
            XCTAssertEqual(
                r.headers.fields.map(\.name),
                ["Contact", "Subject", "Supported", "Content-Type", "Event", "Session-Expires"])
            XCTAssertEqual(r.headers["Subject"], "compact subject")
            XCTAssertEqual(r.headers["m"], "<sip:bob@client.example.org:5070;transport=tcp>")
            XCTAssertEqual(r.body, Array("hello".utf8))
        },
        "folded-headers": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .register)
            XCTAssertEqual(r.via.first?.branch, "z9hG4bKfold1")
            XCTAssertEqual(r.via.first?.received, "192.0.2.99")
            XCTAssertEqual(r.from.displayName, "Folded Name")
            XCTAssertEqual(r.from.tag, "fold-tag")
            XCTAssertEqual(r.cseq, SIPCSeq(7, .register))
            XCTAssertEqual(r.headers["Subject"], "first part second part third part")
            XCTAssertEqual(r.headers["Expires"], "3600")
        },
        "wide-whitespace": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .message)
            XCTAssertEqual(r.via.first?.host, "host1.example.com")
            XCTAssertEqual(r.via.first?.port, 5060)
            XCTAssertEqual(r.via.first?.protocolName, "SIP/2.0")
            XCTAssertEqual(r.via.first?.branch, "z9hG4bKws1")
            XCTAssertEqual(r.via.first?.wantsRport, true)
            XCTAssertEqual(r.from.uri.user, "sender")
            XCTAssertEqual(r.from.tag, "ws-tag")
            XCTAssertTrue(r.from.uri.parameters.isEmpty)
            XCTAssertEqual(r.callID, "whitespace-call@example.com")
            XCTAssertEqual(r.cseq, SIPCSeq(12345, .message))
            XCTAssertEqual(r.maxForwards, 17)
            XCTAssertEqual(r.headers["Content-Type"], "text/plain ;  charset = utf-8")
            XCTAssertEqual(r.body, Array("Hello, whitespace.".utf8))
        },
        "multi-via": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.via.count, 5)
            XCTAssertEqual(r.via.compactMap(\.branch), (1...5).map { "z9hG4bKp\($0)" })
            XCTAssertEqual(r.via[0].received, "203.0.113.1")
            XCTAssertEqual(r.via[0].rport, 5071)
            XCTAssertEqual(r.via[1].port, 5061)
            XCTAssertEqual(r.via[2].host, "[2001:db8::9]")
            XCTAssertEqual(r.via[2].transport, "TLS")
            XCTAssertEqual(r.via[2].parameters.value("maddr"), "239.1.1.1")
            XCTAssertEqual(r.via[2].parameters.value("ttl"), "16")
            XCTAssertEqual(r.via[4].transport, "SCTP")
            XCTAssertTrue(r.via[4].wantsRport)
            XCTAssertEqual(r.headers.values("Record-Route").count, 3)
            XCTAssertEqual(r.to.tag, "a1")
        },
        "escaped-uri": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.uri.user, "sip%3Auser%40example.com")
            XCTAssertEqual(r.uri.decodedUser, "sip:user@example.com")
            XCTAssertEqual(r.uri.host, "example.net")
            XCTAssertEqual(r.uri.transportParameter, "tcp")
            XCTAssertTrue(r.uri.parameters.contains("lr"))
            XCTAssertEqual(r.uri.headers.map(\.name), ["Subject", "Priority"])
            XCTAssertEqual(r.uri.headers.map(\.value), ["hi", "urgent"])
            XCTAssertEqual(r.to.uri.user, "%61lice")
            XCTAssertEqual(r.to.uri.decodedUser, "alice")
            XCTAssertEqual(r.from.uri.user, "user;par=u%40example.net")
            XCTAssertEqual(r.from.uri.host, "example.com")
            XCTAssertEqual(r.from.tag, "esc1")
        },
        "ipv6": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.uri.host, "[2001:db8::10]")
            XCTAssertEqual(r.uri.hostWithoutBrackets, "2001:db8::10")
            XCTAssertEqual(r.uri.port, 5070)
            XCTAssertEqual(r.via[0].host, "[2001:db8::9]")
            XCTAssertEqual(r.via[0].port, 5060)
            XCTAssertEqual(r.via[0].received, "[2001:db8::99]")
            XCTAssertEqual(r.via[0].rport, 5062)
            XCTAssertEqual(r.from.uri.host, "[2001:db8::9]")
            XCTAssertEqual(r.from.displayName, "v6 user")
            XCTAssertEqual(r.callID, "ipv6@[2001:db8::9]")
        },
        "unknown-scheme": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.uri.scheme, "tel")
            XCTAssertFalse(r.uri.isSIP)
            XCTAssertEqual(r.uri.opaque, "+1-201-555-0123;phone-context=example.com")
            XCTAssertEqual(r.to.uri, SIPURI(scheme: "urn", opaque: "service:sos"))
            // addr-spec form: ";tag" is a header parameter, not a URI parameter.
            XCTAssertEqual(r.from.tag, "tel1")
            XCTAssertTrue(r.from.uri.parameters.isEmpty)
            XCTAssertNil(r.from.displayName)
        },
        "unknown-method": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method.rawValue, "NEWMETHOD")
            XCTAssertEqual(r.cseq.method.rawValue, "NEWMETHOD")
            XCTAssertEqual(r.maxForwards, 0)
            XCTAssertEqual(r.headers["x-custom-header"], "some value, with commas; and=semicolons")
            XCTAssertEqual(r.headers.fields.map(\.name), ["X-Custom-Header", "x-lower-header", "Require"])
            XCTAssertEqual(r.headers.tokens("Require"), ["foo-extension"])
        },
        "long-values": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.uri.user?.count, 120)
            XCTAssertEqual(r.via[0].branch?.count, 407)
            XCTAssertEqual(r.from.tag?.count, 200)
            XCTAssertEqual(r.callID.count, 312)
            XCTAssertEqual(r.cseq.sequence, 2_147_483_647)
            XCTAssertEqual(r.headers["X-Long"]?.count, 15 * 120)
            XCTAssertEqual(r.to.displayName?.count, 200)
        },
        "no-content-length": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(String(decoding: r.body, as: UTF8.self), "The body runs to the end of the datagram.")
        },
        "extra-bytes-after-body": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.body, Array("12345".utf8))
        },
        "response-200": { m in
            let r = try XCTUnwrap(m.response)
            XCTAssertEqual(r.statusCode, 200)
            XCTAssertEqual(r.reasonPhrase, "OK")
            XCTAssertTrue(r.isSuccess)
            XCTAssertEqual(r.via[0].rport, 5060)
            XCTAssertEqual(r.via[0].received, "198.51.100.7")
            XCTAssertEqual(r.to.tag, "chorus-77")
            XCTAssertEqual(r.cseq, SIPCSeq(314159, .invite))
            // Max-Forwards has no typed field in responses: it stays a header.
            XCTAssertEqual(r.headers["Max-Forwards"], "70")
            XCTAssertEqual(r.headers.fields.map(\.name), ["Record-Route", "Contact", "Max-Forwards", "Content-Type"])
            XCTAssertTrue(String(decoding: r.body, as: UTF8.self).contains("m=audio 49170"))
        },
        "response-empty-reason": { m in
            let r = try XCTUnwrap(m.response)
            XCTAssertEqual(r.statusCode, 183)
            XCTAssertEqual(r.reasonPhrase, "")
            XCTAssertTrue(r.isProvisional)
        },
        "display-names": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.from.displayName, "J. \"Quoted\" Rosenberg \\ Jr")
            XCTAssertEqual(r.to.displayName, "Bob The Builder")
            let contact = try SIPNameAddress(parsing: XCTUnwrap(r.headers["Contact"]))
            XCTAssertNil(contact.displayName)
            XCTAssertEqual(contact.uri.user, "jd")
        },
        "semicolon-params": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.uri.parameters.items.map(\.name), ["transport", "lr", "maddr", "ttl", "method", "x-flag"])
            XCTAssertEqual(r.uri.parameters["lr"], .some(nil))
            XCTAssertEqual(r.uri.parameters.value("method"), "INVITE")
            XCTAssertEqual(r.via[0].parameters["flag"], .some(nil))
            XCTAssertEqual(r.via[0].parameters.value("x-quoted"), "\"a;b,c\"")
            XCTAssertEqual(r.from.tag, "semi")
            XCTAssertEqual(r.from.parameters.items.map(\.name), ["tag", "x-param", "novalue"])
            XCTAssertTrue(r.from.uri.parameters.isEmpty)
            XCTAssertEqual(r.to.uri.parameters.value("user"), "phone")
            XCTAssertEqual(r.to.parameters.value("x-to"), "\"quoted value\"")
        },
        "leading-crlf": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .options)
            XCTAssertEqual(r.callID, "leading-crlf@192.0.2.3")
        },
        "register-wildcard": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method, .register)
            let contact = try SIPNameAddress(parsing: XCTUnwrap(r.headers["Contact"]))
            XCTAssertTrue(contact.isWildcard)
            XCTAssertEqual(contact.description, "*")
            XCTAssertEqual(r.headers["Expires"], "0")
        },
        "lowercase-names": { m in
            let r = try XCTUnwrap(m.request)
            XCTAssertEqual(r.method.rawValue, "invite")
            XCTAssertEqual(r.uri.scheme, "sips")
            XCTAssertEqual(r.from.uri.scheme, "sips")
            XCTAssertEqual(r.via[0].branch, "z9hG4bKlc")
            XCTAssertEqual(r.maxForwards, 70)
            XCTAssertEqual(r.callID, "lowercase@pc.example.com")
            XCTAssertEqual(r.headers.fields.map(\.name), ["Content-Type"])
        },
    ]

    func testEveryValidFixtureHasChecks() {
        let names = Fixtures.names("valid")
        XCTAssertGreaterThanOrEqual(names.count, 15)
        XCTAssertEqual(Set(names), Set(Self.checks.keys), "fixtures and checks out of step")
    }

    func testValidFixturesParseWithExpectedFields() throws {
        for name in Fixtures.names("valid") {
            let bytes = Fixtures.bytes("valid", name)
            guard let check = Self.checks[name] else { continue }
            do {
                let message = try SIPMessageParser.parse(bytes, framing: .datagram)
                try check(message)
            } catch let error as SIPParseError {
                XCTFail("\(name): \(error.reason)")
            }
        }
    }

    func testValidFixturesRoundTrip() throws {
        for name in Fixtures.names("valid") {
            let bytes = Fixtures.bytes("valid", name)
            guard let first = parseOK(bytes) else { continue }
            let wire = first.serialized()
            // The serialized form is a framed stream message too.
            guard let again = parseOK(wire, framing: .stream) else {
                XCTFail("\(name): reserialized form does not parse:\n\(String(decoding: wire, as: UTF8.self))")
                continue
            }
            XCTAssertEqual(first, again, "\(name) round trip")
            XCTAssertEqual(again.serialized(), wire, "\(name) serializer is not stable")
        }
    }

    func testValidFixturesParseFromByteBufferAndStream() throws {
        for name in Fixtures.names("valid") {
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            buffer.writeBytes(Fixtures.bytes("valid", name))
            let fromBuffer = try? SIPMessageParser.parse(buffer, framing: .datagram)
            XCTAssertEqual(fromBuffer, try? SIPMessageParser.parse(Fixtures.bytes("valid", name), framing: .datagram), name)
        }
    }
}

import NIOCore
