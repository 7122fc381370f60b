import ChorusSIP
import NIOCore
import XCTest

/// Dialog creation, matching, CSeq order, route sets (RFC 3261 §12) and BYE in both directions.
final class DialogTests: XCTestCase {
    /// Establishes a dialog and returns the To tag Chorus chose.
    private func establish(_ h: SIPTestHarness, extraHeaders: [String] = []) throws -> String {
        h.receive(SIPText.request("INVITE", extraHeaders: extraHeaders))
        let tag = try XCTUnwrap(h.responses(200).first?.to.tag)
        h.receive(SIPText.request("ACK", branch: "z9hG4bKack1", toTag: tag, cseqMethod: "ACK"))
        return tag
    }

    func testByeInDialogEndsIt() throws {
        let h = SIPTestHarness()
        let tag = try establish(h)
        XCTAssertEqual(h.userAgent.dialogs.count, 1)
        h.receive(SIPText.request("BYE", branch: "z9hG4bKbye1", toTag: tag, cseq: 314160))
        XCTAssertEqual(h.transport.responses.last.map { "\($0.statusCode) \($0.cseq.method)" }, "200 BYE")
        XCTAssertEqual(h.application.ended.map(\.1), [.remoteBye])
        XCTAssertTrue(h.userAgent.dialogs.isEmpty)
    }

    func testRequestsForUnknownDialogsGet481() throws {
        let h = SIPTestHarness()
        let tag = try establish(h)
        h.receive(SIPText.request("BYE", branch: "z9hG4bKb1", toTag: "wrong-tag", cseq: 314160))
        h.receive(SIPText.request("BYE", branch: "z9hG4bKb2", fromTag: "other", toTag: tag, cseq: 314160))
        h.receive(SIPText.request("BYE", branch: "z9hG4bKb3", toTag: tag, callID: "another-call", cseq: 314160))
        h.receive(SIPText.request("BYE", branch: "z9hG4bKb4", cseq: 314160))
        XCTAssertEqual(h.responses(481).count, 4)
        XCTAssertEqual(h.userAgent.dialogs.count, 1, "the real dialog is untouched")
    }

    func testLowerCSeqInDialogGets500() throws {
        var configuration = SIPEndpointConfiguration()
        configuration.allowedMethods.append(.info)
        let h = SIPTestHarness(configuration: configuration)
        let tag = try establish(h)
        h.receive(SIPText.request("INFO", branch: "z9hG4bKi1", toTag: tag, cseq: 314158))
        XCTAssertEqual(h.responses(500).first?.reasonPhrase, "CSeq Out Of Order")
        XCTAssertTrue(h.application.inDialogRequests.isEmpty)
        h.receive(SIPText.request("INFO", branch: "z9hG4bKi2", toTag: tag, cseq: 314170))
        XCTAssertEqual(h.application.inDialogRequests.map(\.method), [.info], "a higher CSeq reaches the application")
    }

    func testReInviteRefreshesTheRemoteTarget() throws {
        let h = SIPTestHarness()
        let tag = try establish(h)
        let reinvite = SIPText.request("INVITE", branch: "z9hG4bKre", toTag: tag, cseq: 314161)
            .replacingOccurrences(of: "Contact: <sip:alice@192.0.2.10:5062>", with: "Contact: <sip:alice@192.0.2.99:6000>")
        h.receive(reinvite)
        XCTAssertEqual(h.userAgent.dialogs.values.first?.remoteTarget.host, "192.0.2.99")
        XCTAssertEqual(h.application.inDialogRequests.map(\.method), [.invite])
    }

    func testHangUpSendsByeAlongTheFlowWithoutRouteSet() throws {
        let h = SIPTestHarness()
        _ = try establish(h)
        let dialog = try XCTUnwrap(h.userAgent.dialogs.values.first)
        h.userAgent.hangUp(dialog)
        let sent = try XCTUnwrap(h.transport.sent.last)
        let bye = try XCTUnwrap(sent.request)
        XCTAssertEqual(bye.method, .bye)
        XCTAssertEqual(bye.uri.description, "sip:alice@192.0.2.10:5062", "Request-URI is the remote target")
        XCTAssertEqual(bye.from.tag, dialog.id.localTag)
        XCTAssertEqual(bye.to.tag, "1928301774")
        XCTAssertEqual(bye.cseq.method, .bye)
        XCTAssertNil(bye.headers["Route"])
        XCTAssertEqual(sent.peer.remote, h.phone)
        XCTAssertEqual(h.application.ended.map(\.1), [.localBye])
    }

    func testRouteSetFromRecordRouteIsUsedForBye() throws {
        let h = SIPTestHarness()
        _ = try establish(h, extraHeaders: [
            "Record-Route: <sip:192.0.2.50:5080;lr>, <sip:192.0.2.51;lr>",
        ])
        let ok = try XCTUnwrap(h.responses(200).first)
        XCTAssertEqual(ok.headers.values("Record-Route"), ["<sip:192.0.2.50:5080;lr>", "<sip:192.0.2.51;lr>"], "the 2xx echoes Record-Route")
        let dialog = try XCTUnwrap(h.userAgent.dialogs.values.first)
        h.userAgent.hangUp(dialog)
        let sent = try XCTUnwrap(h.transport.sent.last)
        let bye = try XCTUnwrap(sent.request)
        XCTAssertEqual(bye.headers.values("Route"), ["<sip:192.0.2.50:5080;lr>", "<sip:192.0.2.51;lr>"])
        XCTAssertEqual(bye.uri.host, "192.0.2.10", "loose routing keeps the remote target in the Request-URI")
        XCTAssertEqual(sent.peer.remote, try SocketAddress(ipAddress: "192.0.2.50", port: 5080), "BYE goes to the first route")
    }

    func testHangUpBeforeAckWaitsForTheAck() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE"))
        let tag = try XCTUnwrap(h.responses(200).first?.to.tag)
        let dialog = try XCTUnwrap(h.userAgent.dialogs.values.first)
        h.userAgent.hangUp(dialog)
        XCTAssertTrue(h.transport.requests.isEmpty, "no BYE before the ACK (RFC 3261 §15)")
        h.receive(SIPText.request("ACK", branch: "z9hG4bKack1", toTag: tag, cseqMethod: "ACK"))
        XCTAssertEqual(h.transport.requests.map(\.method), [.bye])
    }
}
