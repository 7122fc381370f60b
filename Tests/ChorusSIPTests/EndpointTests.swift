import ChorusSIP
import NIOCore
import XCTest

/// The generic request checks of RFC 3261 §8.2 and response routing (§18.2.2, RFC 3581).
final class EndpointTests: XCTestCase {
    func testOptionsAdvertisesWhatChorusDoes() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("OPTIONS"))
        let ok = try XCTUnwrap(h.responses(200).first)
        XCTAssertEqual(ok.headers["Allow"], "INVITE, ACK, BYE, CANCEL, OPTIONS")
        XCTAssertEqual(ok.headers["Accept"], "application/sdp")
        XCTAssertNotNil(ok.headers["Supported"])
        XCTAssertEqual(ok.to.tag?.isEmpty, false)
    }

    func testUnknownMethodAndRegisterGet405WithAllow() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("FROBNICATE", branch: "z9hG4bK1"))
        h.receive(SIPText.request("REGISTER", uri: "sip:conf.example.com", branch: "z9hG4bK2"))
        XCTAssertEqual(h.responses(405).count, 2)
        XCTAssertEqual(h.responses(405)[0].headers["Allow"], "INVITE, ACK, BYE, CANCEL, OPTIONS")
    }

    func testUnknownRequireGets420WithUnsupported() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", extraHeaders: ["Require: 100rel, foo-bar"]))
        let bad = try XCTUnwrap(h.responses(420).first)
        XCTAssertEqual(bad.headers["Unsupported"], "100rel, foo-bar")
        XCTAssertTrue(h.application.invites.isEmpty)
    }

    func testMaxForwardsZeroGets483ButOptionsIsAnswered() {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", maxForwards: 0))
        XCTAssertEqual(h.responses(483).count, 1)
        h.receive(SIPText.request("OPTIONS", branch: "z9hG4bKopt", maxForwards: 0))
        XCTAssertEqual(h.responses(200).count, 1)
    }

    func testBodyOfUnsupportedTypeGets415WithAccept() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", body: "<html/>", contentType: "text/html"))
        let bad = try XCTUnwrap(h.responses(415).first)
        XCTAssertEqual(bad.headers["Accept"], "application/sdp")
        XCTAssertTrue(bad.reasonPhrase.contains("text/html"), bad.reasonPhrase)
        h.receive(SIPText.request("INVITE", branch: "z9hG4bKenc", callID: "second-call", body: "v=0\r\n", contentType: "application/sdp"))
        XCTAssertEqual(h.application.invites.count, 1, "application/sdp is accepted")
    }

    func testContentTypeParametersAndCaseAreIgnored() {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", body: "v=0\r\n", contentType: "Application/SDP; charset=utf-8"))
        XCTAssertEqual(h.application.invites.count, 1)
    }

    func testNonSipRequestUriGets416() {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", uri: "tel:+4420"))
        XCTAssertEqual(h.responses(416).count, 1)
    }

    func testMergedRequestGets482() {
        let h = SIPTestHarness()
        h.application.invitePolicy = .leavePending
        h.receive(SIPText.request("INVITE", branch: "z9hG4bKpathA"))
        h.receive(SIPText.request("INVITE", branch: "z9hG4bKpathB"))
        XCTAssertEqual(h.responses(482).count, 1)
        XCTAssertEqual(h.application.invites.count, 1)
    }

    func testResponseGoesToSourcePortWithRport() throws {
        let h = SIPTestHarness()
        let natted = try SocketAddress(ipAddress: "203.0.113.7", port: 40000)
        h.receive(SIPText.request("OPTIONS"), from: natted)
        let sent = try XCTUnwrap(h.transport.sent.last)
        XCTAssertEqual(sent.peer.remote, natted, "RFC 3581: back to the source IP and port")
        let via = try XCTUnwrap(sent.response?.via.first)
        XCTAssertEqual(via.received, "203.0.113.7")
        XCTAssertEqual(via.rport, 40000)
    }

    func testResponseGoesToViaPortAtSourceIpWithoutRport() throws {
        let h = SIPTestHarness()
        let source = try SocketAddress(ipAddress: "203.0.113.7", port: 40000)
        h.receive(SIPText.request("OPTIONS", via: "SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKnorport"), from: source)
        let sent = try XCTUnwrap(h.transport.sent.last)
        XCTAssertEqual(sent.peer.remote, try SocketAddress(ipAddress: "203.0.113.7", port: 5070))
        XCTAssertEqual(sent.response?.via.first?.received, "203.0.113.7")
        XCTAssertNil(sent.response?.via.first?.parameters["rport"] ?? nil)
    }

    func testGarbageIsDroppedAndCounted() {
        let h = SIPTestHarness()
        h.receive("\u{01}\u{02} this is not SIP at all")
        XCTAssertTrue(h.transport.sent.isEmpty)
        XCTAssertEqual(h.endpoint.statistics.droppedMessages, 1)
        XCTAssertEqual(h.endpoint.statistics.malformedMessages, 1)
    }

    func testMalformedButAnswerableRequestGets400WithReason() throws {
        let h = SIPTestHarness()
        let text = SIPText.request("INVITE").replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards: lots")
        h.receive(text)
        let sent = try XCTUnwrap(h.transport.sent.first)
        let bad = try XCTUnwrap(sent.response)
        XCTAssertEqual(bad.statusCode, 400)
        XCTAssertTrue(bad.reasonPhrase.contains("Max-Forwards"), bad.reasonPhrase)
        XCTAssertEqual(bad.callID, "a84b4c76e66710@pc33")
        XCTAssertEqual(bad.cseq, SIPCSeq(314159, .invite))
        XCTAssertNotNil(bad.to.tag, "the 400 carries a To tag")
        XCTAssertEqual(sent.peer.remote, h.phone)
        XCTAssertEqual(h.endpoint.statistics.malformedMessages, 1)
    }

    func testStrayResponseIsDropped() {
        let h = SIPTestHarness()
        let response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKnotours\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"
        h.receive(response)
        XCTAssertEqual(h.endpoint.statistics.droppedMessages, 1)
        XCTAssertTrue(h.transport.sent.isEmpty)
    }
}
