import ChorusServer
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// Room management from baresip, a client nobody here wrote: MESSAGE commands with digest
/// credentials that take effect, with the reply MESSAGE reaching baresip; and a PIN keyed as
/// RFC 4733 events from baresip's keypad command.
final class BaresipCommandTests: XCTestCase {
    private func configuration() -> ChorusConfiguration {
        var configuration = TestServer.configuration()
        configuration.commands.users = [UserCredential(username: "alice", password: "wonderland")]
        configuration.commands.admins = ["alice"]
        // baresip 1.0's digest code (libre) gives up on any SHA-256 challenge.
        configuration.commands.digestAlgorithms = [.md5]
        return configuration
    }

    func testBaresipRunsCommandsThatTakeEffectAndGetsTheReplies() async throws {
        try Baresip.requireInstalled()
        let server = try await TestServer.start(configuration())
        let address = try await server.address(.udp)
        let port = address.port!
        let operator_ = try Baresip(
            account: "<sip:alice@127.0.0.1>;auth_pass=wonderland", contacts: ["\"Chorus\" <sip:chorus@127.0.0.1:\(port)>"],
            sipTrace: true)
        defer { operator_.stop() }

        try await operator_.command("message", "create 4300 max 9")
        try await operator_.waitForLog("the reply to create") { $0.contains("room 4300 created") }
        try await operator_.command("message", "lock 4300")
        try await operator_.waitForLog("the reply to lock") { $0.contains("room 4300 locked") }
        do {
            _ = try await TestPhone.dial(room: "4300", server: address)
            XCTFail("the room baresip locked refuses callers")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 403)
        }

        // Two phones talk in 4200; baresip mutes everyone there; the talker's tone disappears.
        let tones = ConferenceAudioCheck.tones
        let listener = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        let talker = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[1]))
        listener.startSending()
        talker.startSending()
        try await Task.sleep(for: .milliseconds(500))
        let before = try await listener.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: before, sampleRate: 48_000), -15)
        try await operator_.command("message", "mute 4200 all")
        try await operator_.waitForLog("the reply to mute") { $0.contains("muted 2 participant(s) in room 4200") }
        try await Task.sleep(for: .milliseconds(400))
        let after = try await listener.listen(for: .seconds(1))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[1], in: after, sampleRate: 48_000), -35, "muted by baresip's command")
        for phone in [listener, talker] {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await server.shutdown()
    }

    func testBaresipKeysThePINOfARoomAsTelephoneEvents() async throws {
        try Baresip.requireInstalled()
        let server = try await TestServer.start(configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        admin.algorithm = .md5
        let created = try await admin.send("create 4300 pin 2468")
        XCTAssertEqual(created.reply, "room 4300 created")
        let tones = ConferenceAudioCheck.tones
        let member = try await TestPhone.dial(room: "4300*2468", server: address, options: .init(codec: .opus, tone: tones[0]))
        member.startSending()

        let caller = try Baresip.talking(user: "carol", tone: tones[1])
        defer { caller.stop() }
        try await caller.command("dial", "sip:4300@127.0.0.1:\(address.port!)")
        try await caller.waitForLog("call established") { $0.contains("Call established") }
        try await Task.sleep(for: .milliseconds(800))
        let inLobby = try await member.listen(for: .seconds(1))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[1], in: inLobby, sampleRate: 48_000), -35, "not heard before the PIN")

        for key in "2468#" {
            try await caller.command("sndcode", String(key))
            try await Task.sleep(for: .milliseconds(250))
        }
        try await Task.sleep(for: .milliseconds(800))
        let admitted = try await member.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: admitted, sampleRate: 48_000), -15, "heard after keying the PIN")
        _ = try await member.hangUp()
        await member.close()
        await admin.close()
        await server.shutdown()
    }
}

extension BaresipCommandTests {
    func testInviteDialsBaresipIntoTheRoomAndReportsABusyParty() async throws {
        try Baresip.requireInstalled()
        let server = try await TestServer.start(configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        admin.algorithm = .md5
        let tones = ConferenceAudioCheck.tones
        let member = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        member.startSending()

        let callee = try Baresip.talking(user: "carol", tone: tones[1], accountParameters: ";answermode=auto")
        defer { callee.stop() }
        _ = try await callee.command("reginfo", "")  // waits until baresip's control socket is up

        let invited = try await admin.send("invite 4200 sip:carol@127.0.0.1:\(callee.sipPort)")
        XCTAssertEqual(invited.status, 200)
        XCTAssertEqual(invited.reply, "sip:carol@127.0.0.1:\(callee.sipPort) answered and joined room 4200")
        try await Task.sleep(for: .milliseconds(800))
        let heard = try await member.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: heard, sampleRate: 48_000), -15, "the dialed party is in the room")

        // A party that answers 486.
        let busy = try await RawSIPClient.connect(.udp, to: address)
        let outcome = Task { try await admin.send("invite 4200 sip:dave@127.0.0.1:\(busy.localPort)") }
        _ = try await busy.answerNextRequest("INVITE", status: "486 Busy Here")
        let refused = try await outcome.value
        XCTAssertEqual(refused.reply, "error: invite: sip:dave@127.0.0.1:\(busy.localPort) did not answer: 486 Busy Here")
        await busy.close()
        _ = try await member.hangUp()
        await member.close()
        await admin.close()
        await server.shutdown()
    }
}
