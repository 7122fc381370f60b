import ChorusSIP
import NIOCore
import XCTest

/// RFC 3261 §17.2 server transactions, driven by a controllable clock.
final class ServerTransactionTests: XCTestCase {
    func testRetransmittedNonInviteIsAnsweredFromTheTransaction() {
        let h = SIPTestHarness()
        let options = SIPText.request("OPTIONS")
        h.receive(options)
        h.receive(options)
        XCTAssertEqual(h.responses(200).count, 2, "the retransmission gets the same answer again")
        XCTAssertEqual(h.transport.sent[0].bytes, h.transport.sent[1].bytes)
        XCTAssertEqual(h.endpoint.statistics.retransmissionsAbsorbed, 1)
        XCTAssertEqual(h.endpoint.statistics.requestsReceived, 2)
    }

    func testNonInviteTransactionLivesTimerJOverUDPAndEndsAtOnceOverTCP() {
        let h = SIPTestHarness()
        h.receive(SIPText.request("OPTIONS"))
        XCTAssertEqual(h.endpoint.transactionCount.server, 1)
        h.advance(h.timers.transactionTimeout - .milliseconds(1))
        XCTAssertEqual(h.endpoint.transactionCount.server, 1)
        h.advance(.milliseconds(2))
        XCTAssertEqual(h.endpoint.transactionCount.server, 0, "Timer J = 64*T1 over UDP")

        h.receive(SIPText.request("OPTIONS", branch: "z9hG4bKtcp1", via: "SIP/2.0/TCP 192.0.2.10:5062;branch=z9hG4bKtcp1"), kind: .tcp)
        XCTAssertEqual(h.endpoint.transactionCount.server, 0, "Timer J = 0 over TCP")
    }

    func testInviteGetsTryingAtOnceAndFinalErrorIsRetransmittedUntilAck() {
        let h = SIPTestHarness()
        h.application.invitePolicy = .reject(486)
        h.receive(SIPText.request("INVITE"))
        XCTAssertEqual(h.transport.responses.map(\.statusCode), [100, 486])

        // Timer G: T1, 2*T1, 4*T1, then capped at T2.
        h.advance(.milliseconds(500))
        XCTAssertEqual(h.responses(486).count, 2)
        h.advance(.milliseconds(1000))
        XCTAssertEqual(h.responses(486).count, 3)
        h.advance(.milliseconds(2000))
        XCTAssertEqual(h.responses(486).count, 4)
        h.advance(.milliseconds(4000))
        XCTAssertEqual(h.responses(486).count, 5)
        h.advance(.milliseconds(4000))
        XCTAssertEqual(h.responses(486).count, 6, "interval stays at T2")

        let toTag = h.responses(486)[0].to.tag!
        h.receive(SIPText.request("ACK", toTag: toTag, cseqMethod: "ACK"))
        h.advance(.seconds(20))
        XCTAssertEqual(h.responses(486).count, 6, "ACK stops the retransmissions")
        XCTAssertEqual(h.endpoint.transactionCount.server, 0, "Timer I ended the transaction")
    }

    func testFinalErrorWithoutAckGivesUpAfter64T1() {
        let h = SIPTestHarness()
        h.application.invitePolicy = .reject(603)
        h.receive(SIPText.request("INVITE"))
        h.advance(.seconds(40))
        let count = h.responses(603).count
        XCTAssertGreaterThan(count, 5)
        XCTAssertEqual(h.endpoint.transactionCount.server, 0, "Timer H = 64*T1")
        h.advance(.seconds(10))
        XCTAssertEqual(h.responses(603).count, count)
    }

    func testRetransmittedInviteWhileProceedingGetsLastProvisional() {
        let h = SIPTestHarness()
        h.application.invitePolicy = .leavePending
        let invite = SIPText.request("INVITE")
        h.receive(invite)
        h.receive(invite)
        XCTAssertEqual(h.responses(100).count, 2)
        XCTAssertEqual(h.application.invites.count, 1, "the TU sees the INVITE once")
    }

    func test2xxIsRetransmittedUntilTheAckWithItsOwnBranch() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE", body: "v=0\r\n", contentType: "application/sdp"))
        let ok = try XCTUnwrap(h.responses(200).first)
        XCTAssertNotNil(ok.to.tag)
        XCTAssertEqual(ok.headers["Content-Type"], "application/sdp")
        XCTAssertTrue(ok.headers["Contact"]?.contains("sip:4200@198.51.100.1:5060") ?? false, ok.headers["Contact"] ?? "no Contact")
        h.advance(.milliseconds(500))
        h.advance(.milliseconds(1000))
        XCTAssertEqual(h.responses(200).count, 3, "2xx retransmitted at T1 and 2*T1 over UDP")

        // The ACK for a 2xx is a new transaction: another branch.
        h.receive(SIPText.request("ACK", branch: "z9hG4bKackbranch", toTag: ok.to.tag, cseqMethod: "ACK"))
        XCTAssertEqual(h.application.confirmed.count, 1)
        XCTAssertEqual(h.application.confirmed.first?.state, .confirmed)
        h.advance(.seconds(10))
        XCTAssertEqual(h.responses(200).count, 3, "no retransmission after the ACK")
    }

    func testMissingAckFor2xxEndsTheDialogWithBye() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE"))
        XCTAssertEqual(h.userAgent.dialogs.count, 1)
        h.advance(h.timers.transactionTimeout + .milliseconds(1))
        let bye = try XCTUnwrap(h.transport.requests.first { $0.method == .bye })
        XCTAssertEqual(bye.callID, "a84b4c76e66710@pc33")
        XCTAssertEqual(bye.to.tag, "1928301774", "BYE goes to the caller: its From tag is our To tag")
        XCTAssertEqual(h.application.ended.map(\.1), [.ackTimeout])
        XCTAssertTrue(h.userAgent.dialogs.isEmpty)
    }

    func testCancelEndsPendingInviteWith487() throws {
        let h = SIPTestHarness()
        h.application.invitePolicy = .leavePending
        h.receive(SIPText.request("INVITE"))
        h.receive(SIPText.request("CANCEL"))
        let answers = h.transport.responses.map { "\($0.statusCode) \($0.cseq.method)" }
        XCTAssertEqual(answers, ["100 INVITE", "200 CANCEL", "487 INVITE"])
        XCTAssertEqual(h.application.cancelled.count, 1)
        XCTAssertFalse(h.application.invites[0].isPending)
        // A late accept does nothing.
        XCTAssertNil(h.application.invites[0].accept(body: []))
        XCTAssertTrue(h.userAgent.dialogs.isEmpty)
    }

    func testCancelMatchingNothingGets481AndCancelAfterFinalChangesNothing() {
        let h = SIPTestHarness()
        h.receive(SIPText.request("CANCEL", branch: "z9hG4bKnothere"))
        XCTAssertEqual(h.transport.responses.map(\.statusCode), [481])

        h.transport.clear()
        h.application.invitePolicy = .reject(486)
        h.receive(SIPText.request("INVITE", branch: "z9hG4bKinv2"))
        h.receive(SIPText.request("CANCEL", branch: "z9hG4bKinv2"))
        XCTAssertEqual(h.transport.responses.map(\.statusCode), [100, 486, 200], "CANCEL is answered, the INVITE keeps its 486")
        XCTAssertTrue(h.application.cancelled.isEmpty)
    }

    func testRfc2543RequestsWithoutMagicCookieStillMatch() {
        let h = SIPTestHarness()
        let options = SIPText.request("OPTIONS", via: "SIP/2.0/UDP 192.0.2.10:5062;branch=oldstyle1")
        h.receive(options)
        h.receive(options)
        XCTAssertEqual(h.endpoint.statistics.retransmissionsAbsorbed, 1)
        XCTAssertEqual(h.responses(200).count, 2)
    }
}
