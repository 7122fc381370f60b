import ChorusServer
import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// REFER to the focus against the real server on loopback: adding someone (the focus dials
/// them), removing someone (`method=BYE`), moving a participant to another room, the `move`
/// command's REFER to a phone, and the refusals (400, 403) that change nothing. Progress comes
/// back in NOTIFYs with `message/sipfrag` bodies, checked in order.
final class ReferIntegrationTests: XCTestCase {
    static func configuration() -> ChorusConfiguration {
        var configuration = CommandIntegrationTests.configuration()
        configuration.dialOut.allowedDomains = ["127.0.0.1"]
        return configuration
    }

    /// The status line of a sipfrag NOTIFY, checked to be one of a REFER subscription.
    private func sipfrag(_ request: SIPRequest, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertEqual(request.method, .notify, file: file, line: line)
        XCTAssertTrue(request.headers["Event"]?.hasPrefix("refer") ?? false, request.headers["Event"] ?? "no Event", file: file, line: line)
        XCTAssertTrue(request.headers["Content-Type"]?.hasPrefix("message/sipfrag") ?? false, file: file, line: line)
        return String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testAParticipantsReferDialsSomeoneIntoTheRoomWithProgressInNotifies() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let alice = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0], user: "alice"))
        let bob = try await TestPhone.waiting(server: address, options: .init(codec: .opus, tone: tones[1], user: "bob"))
        alice.startSending()

        let accepted = try await alice.requestInDialog("REFER", headers: ["Refer-To: <sip:bob@127.0.0.1:\(bob.sipPort)>"])
        XCTAssertEqual(accepted.statusCode, 202)
        let trying = try await alice.nextRequest("NOTIFY")
        XCTAssertEqual(trying.map { sipfrag($0.0) }, "SIP/2.0 100 Trying")
        XCTAssertTrue(trying?.0.headers["Subscription-State"]?.hasPrefix("active") ?? false)
        let answered = try await bob.answerCall()
        XCTAssertTrue(answered, "the focus called bob")
        XCTAssertTrue(bob.lastInvite.contains("Referred-By: <sip:alice@127.0.0.1>"), bob.lastInvite)
        XCTAssertTrue(bob.lastInvite.contains("isfocus"), "the focus's INVITE says it is one")
        var final = try await alice.nextRequest("NOTIFY")
        while let notify = final, sipfrag(notify.0).hasPrefix("SIP/2.0 1") { final = try await alice.nextRequest("NOTIFY") }
        XCTAssertEqual(final.map { sipfrag($0.0) }, "SIP/2.0 200 OK")
        XCTAssertTrue(final?.0.headers["Subscription-State"]?.hasPrefix("terminated") ?? false)

        bob.startSending()
        try await Task.sleep(for: .milliseconds(600))
        let heard = try await alice.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: heard, sampleRate: 48_000), -15, "alice hears bob, whom she added")
        for phone in [alice, bob] { await phone.close() }
        await server.shutdown()
    }

    func testReferWithMethodByeRemovesSomeoneForAnOwnerAndNothingChangesOnRefusals() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let member = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "carol"))
        let other = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "dave"))
        let referTo = "Refer-To: <sip:dave@127.0.0.1;method=BYE>"

        // A participant who is no owner is challenged, and without credentials nothing happens.
        let challenged = try await member.requestInDialog("REFER", headers: [referTo])
        XCTAssertEqual(challenged.statusCode, 401)
        // Malformed: no Refer-To, two of them, a method Chorus does not do; a forbidden dial-out.
        for headers in [[], [referTo, "Refer-To: <sip:x@127.0.0.1>"], ["Refer-To: <sip:dave@127.0.0.1;method=OPTIONS>"], ["Refer-To: banana"]] {
            let response = try await member.requestInDialog("REFER", headers: headers)
            XCTAssertEqual(response.statusCode, 400, "\(headers): \(response.reasonPhrase)")
        }
        let forbidden = try await member.requestInDialog("REFER", headers: ["Refer-To: <sip:eve@example.com>"])
        XCTAssertEqual(forbidden.statusCode, 403, "dialout.allowed_domains has only 127.0.0.1")
        // Outside a dialog: bob owns no room, so he is refused.
        let bob = try await EventSubscriber(server: address, user: "4200", username: "bob", password: "builder")
        let refused = try await bob.send("REFER", headers: [referTo])
        XCTAssertEqual(refused.statusCode, 403)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let who = try await admin.send("who 4200")
        XCTAssertTrue(who.reply?.contains("dave") ?? false, "dave is still in: \(who.reply ?? "")")

        // The admin, outside any dialog: 202, and dave gets a BYE.
        let operator_ = try await EventSubscriber(server: address, user: "4200", username: "alice", password: "wonderland")
        let accepted = try await operator_.send("REFER", headers: [referTo])
        XCTAssertEqual(accepted.statusCode, 202)
        let gotBye = try await other.awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(gotBye)
        let first = try await operator_.nextNotify()
        let second = try await operator_.nextNotify()
        XCTAssertEqual(first?.body, "SIP/2.0 100 Trying\r\n")
        XCTAssertEqual(second?.body, "SIP/2.0 200 OK\r\n")
        XCTAssertEqual(second?.isTerminated, true)
        let after = try await admin.send("who 4200")
        XCTAssertFalse(after.reply?.contains("dave") ?? true, after.reply ?? "")
        for phone in [member, other] { await phone.close() }
        for client in [bob, operator_] { await client.close() }
        await admin.close()
        await server.shutdown()
    }

    func testAParticipantWhoProvesOwnershipRemovesSomeoneFromInsideTheCall() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let created = try await admin.send("create 4600 owner sip:bob@example.com")
        XCTAssertEqual(created.reply, "room 4600 created")
        let host = try await TestPhone.dial(room: "4600", server: address, options: .init(user: "host"))
        let guest = try await TestPhone.dial(room: "4600", server: address, options: .init(user: "guest"))
        let referTo = "Refer-To: <sip:guest@127.0.0.1;method=BYE>"

        // The wrong password: 403. bob's right one in a room he does not own: 403. No BYE.
        let wrong = try await host.requestInDialog("REFER", headers: [referTo], username: "bob", password: "guess")
        XCTAssertEqual(wrong.statusCode, 403)
        let elsewhere = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "elsewhere"))
        let notOwner = try await elsewhere.requestInDialog(
            "REFER", headers: ["Refer-To: <sip:guest@127.0.0.1;method=BYE>"], username: "bob", password: "builder")
        XCTAssertEqual(notOwner.statusCode, 403)
        XCTAssertEqual(notOwner.reasonPhrase, "Not An Owner Of This Room")
        let stillThere = try await admin.send("who 4600")
        XCTAssertTrue(stillThere.reply?.contains("guest") ?? false, stillThere.reply ?? "")
        // bob owns the room: 202, the guest gets a BYE, and the progress comes inside the call.
        let accepted = try await host.requestInDialog("REFER", headers: [referTo], username: "bob", password: "builder")
        XCTAssertEqual(accepted.statusCode, 202)
        let removed = try await guest.awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(removed)
        let trying = try await host.nextRequest("NOTIFY")
        XCTAssertEqual(trying.map { sipfrag($0.0) }, "SIP/2.0 100 Trying")
        let final = try await host.nextRequest("NOTIFY")
        XCTAssertEqual(final.map { sipfrag($0.0) }, "SIP/2.0 200 OK")
        XCTAssertTrue(final?.0.headers["Subscription-State"]?.hasPrefix("terminated") ?? false)
        let after = try await admin.send("who 4600")
        XCTAssertFalse(after.reply?.contains("guest") ?? true, after.reply ?? "")
        XCTAssertTrue(after.reply?.contains("host") ?? false, after.reply ?? "")
        for phone in [host, guest, elsewhere] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testAReferNamingAnotherRoomMovesTheParticipantThereByAReInviteOfTheFocus() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let mover = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0], user: "mover"))
        let stayer = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[1], user: "stayer"))
        let host = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[2], user: "host"))
        for phone in [mover, stayer, host] { phone.startSending() }

        let accepted = try await mover.requestInDialog("REFER", headers: ["Refer-To: <sip:4300@127.0.0.1:\(address.port!)>"])
        XCTAssertEqual(accepted.statusCode, 202)
        // The focus re-INVITEs the phone with an offer for its new port (on the new room's loop).
        let reInvited = try await mover.answerCall()
        XCTAssertTrue(reInvited, "the focus re-INVITEs the mover")
        let notifies = mover.requestsSeen.filter { $0.hasPrefix("NOTIFY ") }
        XCTAssertTrue(notifies.first?.contains("SIP/2.0 100 Trying") ?? false, "100 Trying came first: \(notifies)")
        let final = try await mover.nextRequest("NOTIFY")
        XCTAssertEqual(final.map { sipfrag($0.0) }, "SIP/2.0 200 OK")

        try await Task.sleep(for: .milliseconds(600))
        let atHost = try await host.listen(for: .seconds(1))
        ConferenceAudioCheck.assertHears(atHost, sampleRate: 48_000, heard: [tones[0]], silent: [tones[1]], "room 4300 after the move")
        let atStayer = try await stayer.listen(for: .seconds(1))
        ConferenceAudioCheck.assertHears(atStayer, sampleRate: 48_000, heard: [], silent: [tones[0], tones[2]], "room 4200 after the move")
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let who = try await admin.send("who 4300")
        XCTAssertTrue(who.reply?.contains("mover") ?? false, who.reply ?? "")
        // Still the same call: BYE on it is answered.
        let bye = try await mover.hangUp()
        XCTAssertEqual(bye, 200)
        for phone in [mover, stayer, host] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testTheMoveCommandReferesPhonesAndMovesThoseThatRefuseByReInvite() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let follower = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "follower"))
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let moving = Task { try await admin.send("move 4200 sip:follower@127.0.0.1 4300") }
        // The phone follows the REFER: 202, a new call to the room, NOTIFY 200; the old call ends.
        let refer = try await follower.nextRequest("REFER", status: "202 Accepted")
        let referTo = refer?.0.headers["Refer-To"] ?? ""
        XCTAssertTrue(referTo.contains("sip:4300@127.0.0.1:\(address.port!)"), referTo)
        let outcome = try await moving.value
        XCTAssertEqual(outcome.reply, "move to room 4300: 1 asked by REFER")
        let joined = try await TestPhone.dial(room: "4300", server: address, options: .init(user: "follower"))
        let status = try await follower.requestInDialog(
            "NOTIFY", headers: ["Event: refer", "Subscription-State: terminated;reason=noresource"], body: "SIP/2.0 200 OK\r\n",
            contentType: "message/sipfrag;version=2.0")
        XCTAssertEqual(status.statusCode, 200)
        let ended = try await follower.awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(ended, "the old call ends once the phone reports it joined")

        // A phone that refuses REFER is moved by the focus's re-INVITE instead.
        let stubborn = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "stubborn"))
        let second = Task { try await admin.send("move 4200 sip:stubborn@127.0.0.1 4300") }
        _ = try await stubborn.nextRequest("REFER", status: "405 Method Not Allowed")
        let reInvited = try await stubborn.answerCall()
        XCTAssertTrue(reInvited)
        let secondOutcome = try await second.value
        XCTAssertEqual(secondOutcome.reply, "move to room 4300: 1 moved by re-INVITE")
        let who = try await admin.send("who 4300")
        XCTAssertTrue(who.reply?.contains("stubborn") ?? false, who.reply ?? "")
        for phone in [follower, joined, stubborn] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testAReferNamingTheFocusItselfIsRefusedAndOneDialingARoomsPinSkipsItsLobby() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let focus = "127.0.0.1:\(address.port!)"
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let created = try await admin.send("create 4400 pin 1357")
        XCTAssertEqual(created.reply, "room 4400 created")
        let keen = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "keen"))
        let casual = try await TestPhone.dial(room: "4200", server: address, options: .init(user: "casual"))

        // The control URI, or the focus's address with no room: Chorus would be calling itself.
        for referTo in ["<sip:chorus@\(focus)>", "<sip:\(focus)>"] {
            let refused = try await keen.requestInDialog("REFER", headers: ["Refer-To: \(referTo)"])
            XCTAssertEqual(refused.statusCode, 403, referTo)
        }
        // A NOTIFY with no REFER of Chorus's behind it belongs to no subscription.
        let stray = try await keen.requestInDialog(
            "NOTIFY", headers: ["Event: refer", "Subscription-State: active"], body: "SIP/2.0 100 Trying\r\n",
            contentType: "message/sipfrag;version=2.0")
        XCTAssertEqual(stray.statusCode, 481)
        let before = try await admin.send("who 4200")
        XCTAssertTrue(before.reply?.contains("keen") ?? false, "nothing changed: \(before.reply ?? "")")

        // ROOM*PIN, as dialing does: into room 4400 itself, past its lobby.
        let accepted = try await keen.requestInDialog("REFER", headers: ["Refer-To: <sip:4400*1357@\(focus)>"])
        XCTAssertEqual(accepted.statusCode, 202)
        let moved = try await keen.answerCall()
        XCTAssertTrue(moved, "the focus re-INVITEs keen")
        let done = try await keen.nextRequest("NOTIFY")
        XCTAssertEqual(done.map { sipfrag($0.0) }, "SIP/2.0 200 OK")
        // Without the PIN: room 4400 too, but its lobby.
        let lobbyBound = try await casual.requestInDialog("REFER", headers: ["Refer-To: <sip:4400@\(focus)>"])
        XCTAssertEqual(lobbyBound.statusCode, 202)
        let movedToo = try await casual.answerCall()
        XCTAssertTrue(movedToo)
        let doneToo = try await casual.nextRequest("NOTIFY")
        XCTAssertEqual(doneToo.map { sipfrag($0.0) }, "SIP/2.0 200 OK")

        let info = try await admin.send("info 4400 --json")
        let json = info.reply ?? ""
        let participants = try JSONDecoder().decode(InfoProbe.self, from: Data(json.utf8)).result.participants
        XCTAssertEqual(participants.first { $0.uri.contains("keen") }?.inLobby, false, json)
        XCTAssertEqual(participants.first { $0.uri.contains("casual") }?.inLobby, true, json)
        let rooms = try await admin.send("rooms")
        XCTAssertFalse(rooms.reply?.contains("*") ?? true, "no room is named after the PIN: \(rooms.reply ?? "")")
        for phone in [keen, casual] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }
}

/// What the REFER tests read of `info --json`.
private struct InfoProbe: Decodable {
    struct Participant: Decodable {
        let uri: String
        let inLobby: Bool
    }
    struct Details: Decodable { let participants: [Participant] }
    let result: Details
}
