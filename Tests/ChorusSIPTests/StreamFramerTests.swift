import NIOCore
import XCTest

@testable import ChorusSIP

final class StreamFramerTests: XCTestCase {
    let invite = Fixtures.bytes("valid", "invite-sdp")
    let options = msg(
        """
        OPTIONS sip:conf.example.com SIP/2.0
        Via: SIP/2.0/TCP 192.0.2.3;branch=z9hG4bKfr
        Max-Forwards: 70
        To: <sip:conf.example.com>
        From: <sip:ka@example.com>;tag=fr
        Call-ID: framer@192.0.2.3
        CSeq: 1 OPTIONS
        l: 0


        """)

    func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }

    func testSplitAtEveryByteBoundary() throws {
        let stream = invite + options
        for cut in 0...stream.count {
            var buf = buffer(Array(stream[..<cut]))
            var messages: [ByteBuffer] = []
            while let m = try SIPStreamFramer.nextMessage(from: &buf) { messages.append(m) }
            buf.writeBytes(stream[cut...])
            while let m = try SIPStreamFramer.nextMessage(from: &buf) { messages.append(m) }
            XCTAssertEqual(messages.count, 2, "cut at \(cut)")
            XCTAssertEqual(messages.first.map { Array($0.readableBytesView) }, invite, "cut at \(cut)")
            XCTAssertEqual(messages.last.map { Array($0.readableBytesView) }, options, "cut at \(cut)")
            XCTAssertEqual(buf.readableBytes, 0)
        }
    }

    func testFramedMessagesParseAsStream() throws {
        var buf = buffer(invite + options)
        let first = try XCTUnwrap(try SIPStreamFramer.nextMessage(from: &buf))
        let second = try XCTUnwrap(try SIPStreamFramer.nextMessage(from: &buf))
        XCTAssertEqual(try SIPMessageParser.parse(first, framing: .stream).request?.method, .invite)
        XCTAssertEqual(try SIPMessageParser.parse(second, framing: .stream).request?.method, .options)
        XCTAssertNil(try SIPStreamFramer.nextMessage(from: &buf))
    }

    func testKeepAlivesAreSkipped() throws {
        var buf = buffer(Array("\r\n\r\n".utf8) + options + Array("\r\n".utf8) + Array("\r\n\r\n".utf8) + options)
        XCTAssertEqual(try SIPStreamFramer.nextMessage(from: &buf).map { Array($0.readableBytesView) }, options)
        XCTAssertEqual(try SIPStreamFramer.nextMessage(from: &buf).map { Array($0.readableBytesView) }, options)
        XCTAssertNil(try SIPStreamFramer.nextMessage(from: &buf))

        var onlyPing = buffer(Array("\r\n\r\n".utf8))
        XCTAssertNil(try SIPStreamFramer.nextMessage(from: &onlyPing))
        XCTAssertEqual(onlyPing.readableBytes, 0, "keep-alive consumed")
    }

    func testPartialBodyWaits() throws {
        var buf = buffer(Array(invite.dropLast(10)))
        XCTAssertNil(try SIPStreamFramer.nextMessage(from: &buf))
        XCTAssertEqual(buf.readableBytes, invite.count - 10, "nothing consumed while waiting")
        buf.writeBytes(invite.suffix(10))
        XCTAssertNotNil(try SIPStreamFramer.nextMessage(from: &buf))
    }

    func testMissingContentLengthThrows() {
        var buf = buffer(Fixtures.bytes("valid", "no-content-length"))
        XCTAssertThrowsError(try SIPStreamFramer.nextMessage(from: &buf)) { error in
            XCTAssertEqual((error as? SIPParseError)?.reason, "Missing Content-Length header")
        }
    }

    func testInvalidContentLengthThrows() {
        var buf = buffer(Fixtures.bytes("invalid", "negative-content-length"))
        XCTAssertThrowsError(try SIPStreamFramer.nextMessage(from: &buf))
    }

    func testOversizeHeaderSectionThrows() {
        var limits = SIPParserLimits()
        limits.maxHeaderSectionSize = 1024
        var buf = buffer(Array("INVITE sip:x SIP/2.0\r\nX-Filler: ".utf8) + [UInt8](repeating: 0x61, count: 2000))
        XCTAssertThrowsError(try SIPStreamFramer.nextMessage(from: &buf, limits: limits)) { error in
            XCTAssertEqual((error as? SIPParseError)?.kind, .tooLarge)
        }
        // Below the limit the framer simply waits for more.
        var short = buffer(Array("INVITE sip:x SIP/2.0\r\nX-Filler: aaaa".utf8))
        XCTAssertNil(try SIPStreamFramer.nextMessage(from: &short, limits: limits))
    }

    func testOversizeMessageThrows() {
        var limits = SIPParserLimits()
        limits.maxMessageSize = 500
        var buf = buffer(invite)
        XCTAssertThrowsError(try SIPStreamFramer.nextMessage(from: &buf, limits: limits)) { error in
            XCTAssertEqual((error as? SIPParseError)?.kind, .tooLarge)
            XCTAssertEqual((error as? SIPParseError)?.reason, "Message too large")
        }
    }

    func testBareLFHeaderSectionIsAccepted() throws {
        let lf = Array(String(decoding: options, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
        var buf = buffer(lf)
        let framed = try XCTUnwrap(try SIPStreamFramer.nextMessage(from: &buf))
        XCTAssertEqual(try SIPMessageParser.parse(framed, framing: .stream).callID, "framer@192.0.2.3")
    }
}
