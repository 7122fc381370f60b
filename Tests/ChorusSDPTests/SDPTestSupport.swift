import XCTest

@testable import ChorusSDP

/// Where Chorus receives media in these tests.
let testTransport = LocalTransport(address: "198.51.100.7", rtpPort: 20_000)

/// The o= identity of Chorus's descriptions in these tests.
let testSession = SessionIdentity(sessionID: 4_242, version: 1)

/// Predictable "random" bytes, so answers are reproducible: 0x10, 0x11, ...
func countingBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: 0x10 + $0) }
}

/// Capabilities with predictable keys.
func testCapabilities(
    codecs: [AudioCodecKind] = [.opus, .pcmu, .pcma],
    srtpPolicy: SRTPPolicy = .optional,
    cryptoSuites: [String] = LocalMediaCapabilities.defaultCryptoSuites
) -> LocalMediaCapabilities {
    LocalMediaCapabilities(codecs: codecs, srtpPolicy: srtpPolicy, cryptoSuites: cryptoSuites, randomBytes: countingBytes)
}

/// A base64 `inline:` key of the given length, every byte `byte`.
func inlineKey(_ length: Int, byte: UInt8 = 0xA5) -> String {
    "inline:" + Base64.encode([UInt8](repeating: byte, count: length))
}

/// An offer around one media section (or several, when `mediaSections` is given), as a phone would send it.
func offer(
    _ mLine: String = "m=audio 40000 RTP/AVP 0",
    _ mediaLines: [String] = [],
    sessionConnection: String? = "c=IN IP4 192.0.2.20",
    sessionLines: [String] = [],
    more mediaSections: [String] = [],
    file: StaticString = #filePath,
    line: UInt = #line
) throws -> SessionDescription {
    var lines = ["v=0", "o=- 123 1 IN IP4 192.0.2.20", "s=-"]
    if let sessionConnection { lines.append(sessionConnection) }
    lines.append("t=0 0")
    lines += sessionLines
    lines.append(mLine)
    lines += mediaLines
    lines += mediaSections
    return try SessionDescription(parsing: lines.joined(separator: "\r\n") + "\r\n")
}

/// Answers with the test transport and session.
func answerOffer(
    _ offer: SessionDescription,
    capabilities: LocalMediaCapabilities = testCapabilities()
) throws(NegotiationFailure) -> (answer: SessionDescription, audio: NegotiatedAudio) {
    try OfferAnswer.answer(to: offer, transport: testTransport, capabilities: capabilities, session: testSession)
}

/// Asserts that answering fails with the given status and a warning containing `text`.
func assertAnswerFails(
    _ offer: SessionDescription,
    capabilities: LocalMediaCapabilities = testCapabilities(),
    status: Int,
    warningContains text: String,
    file: StaticString = #filePath,
    line: UInt = #line
) {
    do {
        let result = try answerOffer(offer, capabilities: capabilities)
        XCTFail("expected \(status), got an answer:\n\(result.answer.serialized())", file: file, line: line)
    } catch {
        XCTAssertEqual(error.statusCode, status, file: file, line: line)
        XCTAssertTrue(error.warning.contains(text), "warning was \"\(error.warning)\"", file: file, line: line)
    }
}

extension MediaDescription {
    /// The attribute lines as text, for compact assertions.
    var attributeLines: [String] {
        self.attributes.map { attribute in attribute.value.map { "\(attribute.name):\($0)" } ?? attribute.name }
    }
}
