import ChorusSIP
import NIOCore
import XCTest

/// RFC 3261 §17.1 client transactions and graceful shutdown.
final class ClientTransactionTests: XCTestCase {
    func testNonInviteRetransmitsWithTimerEAndTimesOutWithTimerF() {
        let h = SIPTestHarness()
        let (transaction, events) = h.sendRequest(.bye)
        XCTAssertEqual(transaction.request.via.first?.branch?.hasPrefix("z9hG4bK"), true)
        XCTAssertEqual(h.transport.requests.count, 1)
        // Timer E: 500 ms, 1 s, 2 s, then 4 s (T2) intervals.
        for (step, expected) in [(500, 2), (1000, 3), (2000, 4), (4000, 5), (4000, 6)] {
            h.advance(.milliseconds(Int64(step)))
            XCTAssertEqual(h.transport.requests.count, expected)
        }
        h.advance(.seconds(32))
        guard case .timeout = events().last else { return XCTFail("expected a timeout, got \(events())") }
        let sentCount = h.transport.requests.count
        h.advance(.seconds(10))
        XCTAssertEqual(h.transport.requests.count, sentCount, "no retransmission after Timer F")
        XCTAssertEqual(h.endpoint.transactionCount.client, 0)
    }

    func testFinalResponseStopsRetransmissions() {
        let h = SIPTestHarness()
        let (transaction, events) = h.sendRequest(.bye)
        h.receive(h.responseText(200, to: transaction.request))
        guard case .final(let ok) = events().last else { return XCTFail("no final response") }
        XCTAssertEqual(ok.statusCode, 200)
        h.advance(.seconds(10))
        XCTAssertEqual(h.transport.requests.count, 1)
        XCTAssertEqual(h.endpoint.transactionCount.client, 0, "Timer K ended it")
        // A retransmitted 200 after the end is a stray.
        h.receive(h.responseText(200, to: transaction.request))
        XCTAssertEqual(events().count, 1)
    }

    func testNoRetransmissionOverTCP() {
        let h = SIPTestHarness()
        _ = h.sendRequest(.bye, kind: .tcp)
        h.advance(.seconds(10))
        XCTAssertEqual(h.transport.requests.count, 1)
    }

    func testGracefulShutdownByesEveryCallAndRefusesNewOnes() throws {
        let h = SIPTestHarness()
        for n in 1...2 {
            h.receive(SIPText.request("INVITE", branch: "z9hG4bKcall\(n)", callID: "call-\(n)"))
            let tag = try XCTUnwrap(h.transport.responses.last?.to.tag)
            h.receive(SIPText.request("ACK", branch: "z9hG4bKack\(n)", toTag: tag, callID: "call-\(n)", cseqMethod: "ACK"))
        }
        let done = Flag()
        h.userAgent.shutdown(grace: .seconds(5)).whenSuccess { done.isSet = true }
        let byes = h.transport.requests.filter { $0.method == .bye }
        XCTAssertEqual(Set(byes.map(\.callID)), ["call-1", "call-2"])
        XCTAssertFalse(done.isSet)

        h.receive(SIPText.request("INVITE", branch: "z9hG4bKlate", callID: "late"))
        XCTAssertEqual(h.transport.responses.last?.statusCode, 503)
        XCTAssertEqual(h.transport.responses.last?.headers["Retry-After"], "30")

        h.receive(h.responseText(200, to: byes[0]))
        XCTAssertFalse(done.isSet)
        h.receive(h.responseText(200, to: byes[1]))
        XCTAssertTrue(done.isSet, "done once every BYE is answered, before the grace period")
    }

    func testGracefulShutdownGivesUpAfterGrace() throws {
        let h = SIPTestHarness()
        h.receive(SIPText.request("INVITE"))
        let tag = try XCTUnwrap(h.transport.responses.last?.to.tag)
        h.receive(SIPText.request("ACK", branch: "z9hG4bKack", toTag: tag, cseqMethod: "ACK"))
        let done = Flag()
        h.userAgent.shutdown(grace: .seconds(2)).whenSuccess { done.isSet = true }
        h.advance(.milliseconds(1900))
        XCTAssertFalse(done.isSet)
        h.advance(.milliseconds(200))
        XCTAssertTrue(done.isSet, "an unanswered BYE does not hold shutdown past the grace")
    }
}

/// RFC 3261 §17.1.1 INVITE client transactions (for dial-out).
final class InviteClientTransactionTests: XCTestCase {
    func testTimerADoublesWithoutCapAndTimerBTimesOut() {
        let h = SIPTestHarness()
        let (_, events) = h.sendRequest(.invite)
        // Timer A: 0.5, 1, 2, 4, 8, 16 s after each other; no T2 cap for INVITE.
        for (step, expected) in [(500, 2), (1000, 3), (2000, 4), (4000, 5), (8000, 6)] {
            h.advance(.milliseconds(Int64(step)))
            XCTAssertEqual(h.transport.requests.count, expected)
        }
        h.advance(.milliseconds(16_000 - 1))
        XCTAssertEqual(h.transport.requests.count, 6)
        h.advance(.seconds(2))
        guard case .timeout = events().last else { return XCTFail("expected Timer B, got \(events())") }
    }

    func testProvisionalStopsRetransmissionsAndErrorIsAckedByTheTransaction() throws {
        let h = SIPTestHarness()
        let (transaction, events) = h.sendRequest(.invite)
        h.receive(h.responseText(180, to: transaction.request))
        h.advance(.seconds(5))
        XCTAssertEqual(h.transport.requests.count, 1, "a 1xx stops Timer A")
        h.receive(h.responseText(486, to: transaction.request))
        let ack = try XCTUnwrap(h.transport.requests.last)
        XCTAssertEqual(ack.method, .ack)
        XCTAssertEqual(ack.topBranch, transaction.request.topBranch, "the ACK for a non-2xx shares the INVITE's branch")
        XCTAssertEqual(ack.cseq, SIPCSeq(transaction.request.cseq.sequence, .ack))
        XCTAssertEqual(ack.to.tag, "bob1")
        // A retransmitted 486 is ACKed again and not reported twice.
        h.receive(h.responseText(486, to: transaction.request))
        XCTAssertEqual(h.transport.requests.filter { $0.method == .ack }.count, 2)
        XCTAssertEqual(events().count, 2, "180 and 486, once each")
    }

    func test2xxRetransmissionsReachTheTransactionUser() {
        let h = SIPTestHarness()
        let (transaction, events) = h.sendRequest(.invite)
        h.receive(h.responseText(200, to: transaction.request))
        h.receive(h.responseText(200, to: transaction.request))
        XCTAssertEqual(events().count, 2, "each 2xx must be ACKed by the TU (RFC 6026)")
        XCTAssertEqual(h.transport.requests.filter { $0.method == .ack }.count, 0, "the transaction does not ACK a 2xx")
    }
}
