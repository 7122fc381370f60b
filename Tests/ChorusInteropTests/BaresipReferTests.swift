import ChorusServer
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// REFER from baresip, a client nobody here wrote: its `transfer` command sends REFER inside its
/// call to a room; Chorus dials the party it names into the room and reports the progress in
/// `message/sipfrag` NOTIFYs, which baresip reads (it ends its own call once the transfer
/// succeeded, as a blind transfer does).
final class BaresipReferTests: XCTestCase {
    func testBaresipTransfersItsCallToSomeoneAndChorusDialsThemIntoTheRoom() async throws {
        try Baresip.requireInstalled()
        var configuration = TestServer.configuration()
        configuration.dialOut.allowedDomains = ["127.0.0.1"]
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let member = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        member.startSending()
        let carol = try await TestPhone.waiting(server: address, options: .init(codec: .opus, tone: tones[1], user: "carol"))

        let transferor = try Baresip.talking(user: "dave", tone: tones[2], sipTrace: true)
        defer { transferor.stop() }
        try await transferor.command("dial", "sip:4200@127.0.0.1:\(address.port!)")
        try await transferor.waitForLog("call established") { $0.contains("Call established") }

        try await transferor.command("transfer", "sip:carol@127.0.0.1:\(carol.sipPort)")
        let answered = try await carol.answerCall(timeout: .seconds(10))
        XCTAssertTrue(answered, "Chorus dialed the party baresip's REFER named")
        XCTAssertTrue(carol.lastInvite.contains("Referred-By:"), carol.lastInvite)
        carol.startSending()
        // baresip got 202, then the NOTIFYs: 100 Trying and the final 200 OK, which ends the
        // implicit subscription; taking that as success, it hangs up its own call (a blind transfer).
        try await transferor.waitForLog("the REFER's 202, the final NOTIFY and baresip's BYE") { log in
            log.contains("SIP/2.0 202 Accepted") && Self.notifies(in: log).contains { $0.body.hasPrefix("SIP/2.0 200 OK") }
                && log.contains("BYE sip:4200@")
        }
        let progress = Self.notifies(in: transferor.log)
        XCTAssertEqual(progress.map { $0.body.trimmingCharacters(in: .whitespacesAndNewlines) }, ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"])
        XCTAssertTrue(progress.allSatisfy { $0.headers.contains("Event: refer") && $0.headers.contains("Content-Type: message/sipfrag") })
        XCTAssertTrue(progress.first?.headers.contains("Subscription-State: active") ?? false, "\(progress)")
        XCTAssertTrue(progress.last?.headers.contains("Subscription-State: terminated") ?? false, "\(progress)")
        try await Task.sleep(for: .milliseconds(800))
        let heard = try await member.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: heard, sampleRate: 48_000), -15, "carol is in the room")
        for phone in [member, carol] { await phone.close() }
        await server.shutdown()
    }

    /// The NOTIFYs in a baresip SIP trace (`-s`), each as its header block and its body.
    static func notifies(in log: String) -> [(headers: String, body: String)] {
        log.components(separatedBy: "NOTIFY sip:").dropFirst().compactMap { chunk in
            // A traced message ends where the trace's next colour code begins.
            let message = chunk.prefix { $0 != "\u{1B}" }
            guard let blank = message.range(of: "\r\n\r\n") else { return nil }
            return (String(message[..<blank.lowerBound]), String(message[blank.upperBound...]))
        }
    }
}
