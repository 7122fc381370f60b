import XCTest

@testable import ChorusSIP

/// Every file in Fixtures/invalid fails with the expected kind, a reason naming the problem, and
/// salvage present exactly when the request's Via, From, To, Call-ID and CSeq values parse.
final class InvalidCorpusTests: XCTestCase {
    struct Expectation {
        var kind: SIPParseError.Kind = .malformed
        /// A word the reason must contain (case-insensitive).
        var word: String
        var salvage: Bool
    }

    static let expectations: [String: Expectation] = [
        "angle-request-uri": .init(word: "Request-URI", salvage: true),
        "bad-cseq": .init(word: "CSeq", salvage: false),
        "bad-method": .init(word: "method", salvage: false),
        "bad-port": .init(word: "Request-URI", salvage: true),
        "bad-status-code": .init(word: "status code", salvage: false),
        "bad-version": .init(kind: .versionNotSupported, word: "SIP/7.0", salvage: true),
        "bad-via": .init(word: "Via", salvage: false),
        "bare-cr": .init(word: "CR", salvage: true),
        "content-length-too-large": .init(word: "larger than datagram", salvage: true),
        "cseq-mismatch": .init(word: "does not match", salvage: true),
        "cseq-too-big": .init(word: "CSeq", salvage: false),
        "duplicate-call-id": .init(word: "Multiple Call-ID", salvage: true),
        "empty": .init(word: "Empty", salvage: false),
        "garbage": .init(word: "", salvage: false),
        "garbage-text": .init(word: "", salvage: false),
        "invalid-max-forwards": .init(word: "Max-Forwards", salvage: true),
        "malformed-version": .init(word: "version", salvage: true),
        "missing-call-id": .init(word: "Missing Call-ID", salvage: false),
        "missing-cseq": .init(word: "Missing CSeq", salvage: false),
        "missing-from": .init(word: "Missing From", salvage: false),
        "missing-request-uri": .init(word: "Request-URI", salvage: true),
        "missing-via": .init(word: "Missing Via", salvage: false),
        "negative-content-length": .init(word: "Content-Length", salvage: true),
        "no-blank-line": .init(word: "empty line", salvage: true),
        "nul-byte": .init(word: "NUL", salvage: true),
        "only-crlf": .init(word: "Empty", salvage: false),
        "response-missing-to": .init(word: "Missing To", salvage: false),
        "spaces-in-request-uri": .init(word: "Request-URI", salvage: true),
        "stray-angle": .init(word: "To", salvage: false),
        "unmatched-angle": .init(word: "unmatched <", salvage: false),
        "unterminated-quote": .init(word: "quoted string", salvage: false),
    ]

    func testEveryInvalidFixtureHasAnExpectation() {
        let names = Fixtures.names("invalid")
        XCTAssertGreaterThanOrEqual(names.count, 20)
        XCTAssertEqual(Set(names), Set(Self.expectations.keys), "fixtures and expectations out of step")
    }

    func testInvalidFixturesFailAsExpected() {
        for name in Fixtures.names("invalid") {
            guard let expected = Self.expectations[name] else { continue }
            let bytes = Fixtures.bytes("invalid", name)
            guard let error = parseError(bytes) else {
                XCTFail("\(name): parsed although invalid")
                continue
            }
            XCTAssertEqual(error.kind, expected.kind, "\(name): \(error.reason)")
            if !expected.word.isEmpty {
                XCTAssertTrue(
                    error.reason.lowercased().contains(expected.word.lowercased()),
                    "\(name): reason \"\(error.reason)\" lacks \"\(expected.word)\"")
            }
            XCTAssertEqual(error.salvage != nil, expected.salvage, "\(name): salvage (\(error.reason))")
            // The reason is one printable ASCII line.
            XCTAssertFalse(error.reason.isEmpty)
            XCTAssertTrue(error.reason.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(name): \(error.reason)")
            if let salvage = error.salvage {
                XCTAssertEqual(salvage.topVia.branch, "z9hG4bKbad", name)
                XCTAssertEqual(salvage.callID.hasPrefix("invalid@"), true, name)
            }
        }
    }

    func testStreamFramingRequiresContentLength() {
        let bytes = Fixtures.bytes("valid", "no-content-length")
        XCTAssertNotNil(try? SIPMessageParser.parse(bytes, framing: .datagram))
        let error = parseError(bytes, framing: .stream)
        XCTAssertEqual(error?.reason, "Missing Content-Length header")
        XCTAssertNotNil(error?.salvage)
    }

    func testStreamFramingRejectsExtraBytes() {
        let error = parseError(Fixtures.bytes("valid", "extra-bytes-after-body"), framing: .stream)
        XCTAssertNotNil(error)
    }

    func testLimits() {
        let invite = Fixtures.bytes("valid", "invite-sdp")
        var small = SIPParserLimits()
        small.maxMessageSize = 200
        XCTAssertEqual(parseError(invite, limits: small)?.kind, .tooLarge)

        let headers = SIPParserLimits(maxHeaderCount: 5)
        let tooMany = parseError(invite, limits: headers)
        XCTAssertEqual(tooMany?.kind, .tooLarge)
        XCTAssertEqual(tooMany?.reason, "Too many headers")
        XCTAssertEqual(tooMany?.suggestedStatusCode, 513)

        let section = SIPParserLimits(maxHeaderSectionSize: 300)
        let tooBig = parseError(invite, limits: section)
        XCTAssertEqual(tooBig?.reason, "Header section too large")
        XCTAssertEqual(tooBig?.kind, .tooLarge)
        XCTAssertNotNil(tooBig?.salvage, "a 513 can still be answered")
    }

    func testVersionErrorSuggests505() {
        let error = parseError(Fixtures.bytes("invalid", "bad-version"))
        XCTAssertEqual(error?.suggestedStatusCode, 505)
        XCTAssertEqual(error?.reason, "Unsupported SIP version SIP/7.0")
    }
}
