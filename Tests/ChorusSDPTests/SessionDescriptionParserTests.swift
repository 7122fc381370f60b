import Foundation
import XCTest

@testable import ChorusSDP

final class SessionDescriptionParserTests: XCTestCase {
    private let rfcExample = """
        v=0
        o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1
        s=Call to John Smith
        i=SDP Offer #1
        u=http://www.jdoe.example.com/home.html
        e=Jane Doe <jane@jdoe.example.com>
        p=+1 617 555-6011
        c=IN IP4 198.51.100.1
        b=AS:128
        t=0 0
        a=recvonly
        m=audio 49170 RTP/AVP 0
        m=audio 49180 RTP/AVP 0
        m=video 51372/2 RTP/AVP 99
        c=IN IP6 2001:db8::2
        b=TIAS:256000
        a=rtpmap:99 h263-1998/90000

        """

    func testParsesTheRFC8866Example() throws {
        let description = try SessionDescription(parsing: self.rfcExample)
        XCTAssertEqual(description.version, 0)
        XCTAssertEqual(
            description.origin,
            SDPOrigin(username: "jdoe", sessionID: 3_724_394_400, sessionVersion: 3_724_394_405, addressType: .ip4, address: "198.51.100.1")
        )
        XCTAssertEqual(description.sessionName, "Call to John Smith")
        XCTAssertEqual(description.information, "SDP Offer #1")
        XCTAssertEqual(description.connection, SDPConnection(addressType: .ip4, address: "198.51.100.1"))
        XCTAssertEqual(description.bandwidths, [SDPBandwidth(type: "AS", value: 128)])
        XCTAssertEqual(description.timing, ["0 0"])
        XCTAssertEqual(description.otherLines.map(\.type), ["u", "e", "p"])
        XCTAssertEqual(description.sessionDirection, .recvonly)
        XCTAssertEqual(description.media.count, 3)
        let video = description.media[2]
        XCTAssertEqual(video.media, "video")
        XCTAssertEqual(video.port, 51_372)
        XCTAssertEqual(video.portCount, 2)
        XCTAssertEqual(video.proto, "RTP/AVP")
        XCTAssertEqual(video.formats, ["99"])
        XCTAssertEqual(video.connection, SDPConnection(addressType: .ip6, address: "2001:db8::2"))
        XCTAssertEqual(video.bandwidths, [SDPBandwidth(type: "TIAS", value: 256_000)])
        XCTAssertEqual(video.rtpMap(for: 99), SDPRTPMap(payloadType: 99, encodingName: "h263-1998", clockRate: 90_000))
        XCTAssertEqual(description.media[0].direction(sessionDefault: description.sessionDirection), .recvonly)
    }

    func testSerializesWithCRLFInRFCOrderAndRoundTrips() throws {
        let description = try SessionDescription(parsing: self.rfcExample)
        let text = description.serialized()
        XCTAssertTrue(text.hasSuffix("\r\n"))
        XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let types = text.split(separator: "\r\n").map { $0.first! }
        XCTAssertEqual(String(types), "vosiuepcbtammmcba")
        XCTAssertEqual(try SessionDescription(parsing: text), description)
    }

    func testToleratesLFCRLFTrailingWhitespaceAndBlankLines() throws {
        let crlf = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        let sloppy = "v=0  \no=- 1 1 IN IP4 10.0.0.1\t\n\ns=- \r\nc=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0\n\n\n"
        XCTAssertEqual(try SessionDescription(parsing: crlf), try SessionDescription(parsing: sloppy))
        XCTAssertEqual(try SessionDescription(parsing: Array(crlf.utf8)), try SessionDescription(parsing: crlf))
    }

    func testMissingSessionNameIsAcceptedAsDash() throws {
        let description = try SessionDescription(parsing: "v=0\no=- 1 1 IN IP4 10.0.0.1\nt=0 0\n")
        XCTAssertEqual(description.sessionName, "-")
        XCTAssertTrue(description.serialized().contains("s=-\r\n"))
        var empty = description
        empty.sessionName = ""
        XCTAssertTrue(empty.serialized().contains("s=-\r\n"))
    }

    func testConnectionTTLIsStrippedAndTimingDefaults() throws {
        let description = try SessionDescription(parsing: "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x\nc=IN IP4 224.2.1.1/127/3\n")
        XCTAssertEqual(description.connection?.address, "224.2.1.1")
        XCTAssertEqual(description.timing, ["0 0"])
    }

    func testUnknownLinesAndAttributesSurviveTheRoundTrip() throws {
        let text = """
            v=0
            o=- 1 2 IN IP6 ::1
            s=-
            t=0 0
            r=7d 1h 0 25h
            y=unknown session line
            a=x-vendor:thing
            a=flag
            m=audio 5000 RTP/AVP 0 8
            k=prompt
            q=unknown media line
            a=x-custom:1 2 3
            a=rtpmap:0 PCMU/8000

            """
        let description = try SessionDescription(parsing: text)
        XCTAssertEqual(description.otherLines, [SDPLine(type: "r", value: "7d 1h 0 25h"), SDPLine(type: "y", value: "unknown session line")])
        XCTAssertEqual(description.attributes, [SDPAttribute(name: "x-vendor", value: "thing"), SDPAttribute(name: "flag")])
        XCTAssertEqual(description.media[0].otherLines.map(\.type), ["k", "q"])
        XCTAssertEqual(description.media[0].attributeValues(named: "x-custom"), ["1 2 3"])
        let again = try SessionDescription(parsing: description.serialized())
        XCTAssertEqual(again, description)
        XCTAssertTrue(description.serialized().contains("\r\ny=unknown session line\r\n"))
    }

    func testParseErrorsCarryLineNumbers() {
        let cases: [(String, Int, String)] = [
            ("", 0, "SDP is empty"),
            ("o=- 1 1 IN IP4 10.0.0.1\nv=0\n", 1, "line 1: SDP must start with a v= line"),
            ("v=zero\n", 1, "line 1: v= must be a number"),
            ("v=0\ns=-\nt=0 0\n", 0, "SDP has no o= line"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nthis is not sdp\n", 4, "line 4: expected a line of the form <letter>=<value>"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 5000 RTP/AVP\n", 5, "line 5: m= line has no formats"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio 5000\n", 4, "line 4: m= line has no proto"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio\n", 4, "line 4: m= line has no port"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio x RTP/AVP 0\n", 4, "line 4: m= line has a bad port 'x'"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio 65536 RTP/AVP 0\n", 4, "line 4: m= line has a bad port '65536'"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio -1 RTP/AVP 0\n", 4, "line 4: m= line has a bad port '-1'"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nm=audio 5000/0 RTP/AVP 0\n", 4, "line 4: m= line has a bad port count '5000/0'"),
            ("v=0\no=- x 1 IN IP4 10.0.0.1\n", 2, "line 2: o= session id and version must be numbers"),
            ("v=0\no=- 1 1 IN IP4\n", 2, "line 2: o= must have 6 fields"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IPX 10.0.0.1\n", 3, "line 3: c= must be IN IP4|IP6 <address>"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\nb=AS\n", 3, "line 3: b= must be <type>:<bandwidth>"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\no=- 1 1 IN IP4 10.0.0.1\n", 3, "line 3: unexpected second o= line"),
            ("v=0\nv=0\n", 2, "line 2: unexpected second v= line"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=a\u{0}b\n", 3, "line 3: line contains a control character"),
            ("v=0\no=- 1 1 IN IP4 10.0.0.1\nm=audio 1 RTP/AVP 0\ns=late\n", 4, "line 4: s= is not allowed inside a media section"),
        ]
        for (text, line, reason) in cases {
            XCTAssertThrowsError(try SessionDescription(parsing: text), reason) { error in
                XCTAssertEqual(error as? SDPParseError, SDPParseError(line: line, reason: reason))
            }
        }
    }

    func testRejectsInvalidUTF8WithItsLine() {
        var bytes = Array("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        XCTAssertThrowsError(try SessionDescription(parsing: bytes)) { error in
            XCTAssertEqual(error as? SDPParseError, SDPParseError(line: 3, reason: "line 3: line is not valid UTF-8"))
        }
        XCTAssertEqual(try SessionDescription(parsing: "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=Grüße\n").sessionName, "Grüße")
    }

    func testBoundsTheInput() {
        let head = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\n"
        let tooManyLines = head + String(repeating: "a=x\n", count: SDPLimits.maximumLines)
        XCTAssertThrowsError(try SessionDescription(parsing: tooManyLines)) { error in
            XCTAssertTrue((error as? SDPParseError)?.reason.contains("more than 1000 lines") ?? false, "\(error)")
        }
        let tooManyMedia = head + String(repeating: "m=audio 0 RTP/AVP 0\n", count: SDPLimits.maximumMediaSections + 1)
        XCTAssertThrowsError(try SessionDescription(parsing: tooManyMedia)) { error in
            XCTAssertEqual((error as? SDPParseError)?.line, 4 + 65)
        }
        XCTAssertNoThrow(try SessionDescription(parsing: head + String(repeating: "m=audio 0 RTP/AVP 0\n", count: 64)))
        let tooBig = head + "a=" + String(repeating: "x", count: SDPLimits.maximumBytes) + "\n"
        XCTAssertThrowsError(try SessionDescription(parsing: tooBig)) { error in
            XCTAssertEqual(error as? SDPParseError, SDPParseError(line: 0, reason: "SDP is larger than 65536 bytes"))
        }
    }
}
