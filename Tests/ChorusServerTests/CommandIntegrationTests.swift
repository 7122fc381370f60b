import ChorusServer
import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// Room management by SIP MESSAGE against the real server on loopback: digest authentication,
/// authorisation, commands taking effect on calls, the reply MESSAGE, PIN lobby and keypad.
final class CommandIntegrationTests: XCTestCase {
    static func configuration(storage: URL? = nil, maxFailures: Int = 10) -> ChorusConfiguration {
        var configuration = TestServer.configuration()
        configuration.commands.users = [
            UserCredential(username: "alice", password: "wonderland"),
            UserCredential(username: "bob", password: "builder"),
        ]
        configuration.commands.admins = ["alice"]
        configuration.commands.maxFailuresPerMinute = maxFailures
        configuration.storage.directory = (storage ?? FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(UUID().uuidString)")).path
        return configuration
    }

    func testUnauthenticatedCommandsAreChallengedWithFreshNoncesAndWrongPasswordsForbidden() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let anonymous = try await CommandClient(server: address)
        let first = try await anonymous.send("rooms")
        let second = try await anonymous.send("rooms")
        XCTAssertEqual(first.status, 401)
        XCTAssertEqual(first.challenges.count, 2, "SHA-256 and MD5 challenges: \(first.challenges)")
        XCTAssertTrue(first.challenges[0].contains("algorithm=SHA-256") && first.challenges[0].contains("qop=\"auth\""), first.challenges[0])
        XCTAssertNotEqual(first.challenges, second.challenges, "a fresh nonce every time")

        let intruder = try await CommandClient(server: address, username: "alice", password: "guess")
        let wrong = try await intruder.send("create 4300")
        XCTAssertEqual(wrong.status, 403)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let rooms = try await admin.send("rooms")
        XCTAssertEqual(rooms.status, 200)
        XCTAssertFalse(rooms.reply?.contains("4300") ?? true, "the refused create changed nothing: \(rooms.reply ?? "")")
        for client in [anonymous, intruder, admin] { await client.close() }
        await server.shutdown()
    }

    func testMD5AndSHA256BothWorkAndTheReplyComesBackAsTextOrJSON() async throws {
        let server = try await TestServer.start(Self.configuration())
        let admin = try await CommandClient(server: try await server.address(.udp), username: "alice", password: "wonderland")
        admin.algorithm = .md5
        let created = try await admin.send("create 4300 max 5 moderated")
        XCTAssertEqual(created.status, 200)
        XCTAssertEqual(created.reply, "room 4300 created")
        admin.algorithm = .sha256
        let listed = try await admin.send("rooms --json")
        XCTAssertEqual(listed.replyType, "application/json")
        let json = try JSONSerialization.jsonObject(with: Data((listed.reply ?? "").utf8)) as? [String: Any]
        XCTAssertEqual(json?["ok"] as? Bool, true, listed.reply ?? "")
        XCTAssertTrue(listed.reply?.contains("\"4300\"") ?? false, listed.reply ?? "")
        let unknown = try await admin.send("frobnicate")
        XCTAssertEqual(unknown.status, 200)
        XCTAssertTrue(unknown.reply?.contains("help") ?? false, "an unknown command points to help: \(unknown.reply ?? "")")
        await admin.close()
        await server.shutdown()
    }

    func testFailedAttemptsAreRateLimitedPerSource() async throws {
        let server = try await TestServer.start(Self.configuration(maxFailures: 3))
        let address = try await server.address(.udp)
        let guesser = try await CommandClient(server: address, username: "alice", password: "nope")
        for _ in 0..<3 {
            let outcome = try await guesser.send("rooms")
            XCTAssertEqual(outcome.status, 403)
        }
        guesser.password = "wonderland"
        let blocked = try await guesser.send("rooms")
        XCTAssertEqual(blocked.status, 503, "even the right password waits until the bucket refills")
        XCTAssertEqual(blocked.reason, "Too Many Failed Attempts")
        XCTAssertTrue(blocked.challenges.isEmpty, "a source over its failures is not even challenged")
        await guesser.close()
        await server.shutdown()
    }

    func testOwnersManageTheirRoomOnlyAndUsersWithoutRightsAreRefused() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await admin.send("create 4300 owner sip:bob@example.com")
        _ = try await admin.send("create 4400")
        let bob = try await CommandClient(server: address, username: "bob", password: "builder")
        let own = try await bob.send("lock 4300")
        XCTAssertEqual(own.status, 200)
        XCTAssertEqual(own.reply, "room 4300 locked")
        let other = try await bob.send("lock 4400")
        XCTAssertEqual(other.status, 403)
        let create = try await bob.send("create 4500")
        XCTAssertEqual(create.status, 403)
        // The locked room refuses new callers.
        do {
            _ = try await TestPhone.dial(room: "4300", server: address)
            XCTFail("a locked room refuses")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 403)
        }
        await admin.close()
        await bob.close()
        await server.shutdown()
    }

    func testAdminMuteAndKickAndParticipantSelfServiceInsideTheCall() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        var phones: [TestPhone] = []
        for tone in ConferenceIntegrationTests.tones {
            phones.append(try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tone)))
        }
        for phone in phones { phone.startSending() }
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let who = try await admin.send("who 4200")
        XCTAssertEqual(who.status, 200)
        // Participant numbers come from `who`; the first phone joined first.
        let numbers = (who.reply ?? "").split(whereSeparator: \.isNewline).compactMap { line in
            line.split(separator: " ").first.flatMap { Int($0) }
        }
        XCTAssertEqual(numbers.count, 3, who.reply ?? "")
        let mute = try await admin.send("mute 4200 \(numbers[0])")
        XCTAssertEqual(mute.status, 200)
        try await Task.sleep(for: .milliseconds(400))
        let heard = try await phones[1].listen(for: .seconds(1))
        ConferenceAudioCheck.assertHears(
            heard, sampleRate: 48_000, heard: [ConferenceIntegrationTests.tones[2]],
            silent: [ConferenceIntegrationTests.tones[0], ConferenceIntegrationTests.tones[1]], "phone 1 after muting phone 0")

        // Phone 2 deafens itself from inside its call; the reply comes back inside the call.
        let status = try await phones[2].sendInDialog("MESSAGE", body: "deaf", contentType: "text/plain")
        XCTAssertEqual(status, 200, phones[2].lastReason)
        let reply = try await phones[2].awaitMessage()
        XCTAssertEqual(reply, "you are deafened")
        let notAllowed = try await phones[2].sendInDialog("MESSAGE", body: "kick 4200 all", contentType: "text/plain")
        XCTAssertEqual(notAllowed, 200)
        let refusal = try await phones[2].awaitMessage()
        XCTAssertTrue(refusal?.contains("only") ?? false, refusal ?? "")

        let kick = try await admin.send("kick 4200 \(numbers[1])")
        XCTAssertEqual(kick.status, 200)
        let gotBye = try await phones[1].awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(gotBye, "a kicked participant gets BYE")
        for phone in phones { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testAPINRoomHoldsCallersInTheLobbyUntilTheyKeyThePIN() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await admin.send("create 4300 pin 2468")
        let tones = ConferenceIntegrationTests.tones
        let member = try await TestPhone.dial(room: "4300*2468", server: address, options: .init(codec: .opus, tone: tones[0]))
        let caller = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[1]))
        member.startSending()
        caller.startSending()
        try await Task.sleep(for: .milliseconds(400))
        let beforePIN = try await member.listen(for: .seconds(1))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[1], in: beforePIN, sampleRate: 48_000), -35, "a caller in the lobby is not heard")
        try await caller.sendDigits("2468#")
        try await Task.sleep(for: .milliseconds(500))
        let afterPIN = try await member.listen(for: .seconds(1))
        let heardAfterPIN = ConferenceAudioCheck.level(of: tones[1], in: afterPIN, sampleRate: 48_000)
        if heardAfterPIN <= -15 {
            // Rare on a loaded CI machine: say what the room thought, to tell lost digits from lost audio.
            let who = try await admin.send("who 4300")
            XCTFail("after the PIN the caller is heard: \(heardAfterPIN) dB over \(afterPIN.count) samples; the room: \(who.reply ?? "no reply")")
        }
        for phone in [member, caller] {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await admin.close()
        await server.shutdown()
    }

    func testAModeratedRoomWaitsForAnAuthenticatedOwner() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await admin.send("create 4300 moderated owner sip:bob@example.com")
        let tones = ConferenceIntegrationTests.tones
        let first = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[0]))
        let second = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[1]))
        for phone in [first, second] { phone.startSending() }
        try await Task.sleep(for: .milliseconds(400))
        let waiting = try await first.listen(for: .seconds(1))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[1], in: waiting, sampleRate: 48_000), -35, "nobody is mixed before a moderator")
        XCTAssertGreaterThan(waiting.count, 24_000, "waiting callers still get a stream (the waiting tone)")

        // Bob claims his identity: Chorus challenges the INVITE, he answers, he is a moderator.
        do {
            _ = try await TestPhone.dial(room: "4300", server: address, options: .init(user: "bob", password: "wrong"))
            XCTFail("a wrong password is refused")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 403)
        }
        let moderator = try await TestPhone.dial(room: "4300", server: address, options: .init(codec: .opus, tone: tones[2], user: "bob", password: "builder"))
        try await Task.sleep(for: .milliseconds(600))
        let started = try await first.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: started, sampleRate: 48_000), -15, "the moderator's arrival starts the room")
        for phone in [first, second, moderator] {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await admin.close()
        await server.shutdown()
    }

    func testDestroyHangsEveryoneUpAndForgetsTheRoom() async throws {
        var configuration = Self.configuration()
        configuration.conference.autoCreate = false
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await admin.send("create 4300")
        let phone = try await TestPhone.dial(room: "4300", server: address)
        let destroyed = try await admin.send("destroy 4300")
        XCTAssertEqual(destroyed.reply, "room 4300 destroyed; 1 call(s) ended")
        let gotBye = try await phone.awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(gotBye, "destroy hangs up with BYE")
        let rooms = try await admin.send("rooms")
        XCTAssertFalse(rooms.reply?.contains("4300") ?? true, rooms.reply ?? "")
        do {
            _ = try await TestPhone.dial(room: "4300", server: address)
            XCTFail("a destroyed room is gone")
        } catch let failure as TestPhone.CallFailed {
            XCTAssertEqual(failure.statusCode, 404)
        }
        await phone.close()
        await admin.close()
        await server.shutdown()
    }

    func testThreeWrongPINsEndTheCall() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await admin.send("create 4300 pin 2468")
        let caller = try await TestPhone.dial(room: "4300", server: address)
        caller.startSending()
        try await caller.sendDigits("1111#1111#1111#")
        let gotBye = try await caller.awaitRequest("BYE", timeout: .seconds(5))
        XCTAssertTrue(gotBye)
        await caller.close()
        await admin.close()
        await server.shutdown()
    }

    func testKeypadStarSixMutesByRFC4733AndByInfo() async throws {
        let server = try await TestServer.start(Self.configuration())
        let address = try await server.address(.udp)
        let tones = ConferenceIntegrationTests.tones
        let listener = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        let talker = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[1]))
        listener.startSending()
        talker.startSending()
        try await Task.sleep(for: .milliseconds(400))
        try await talker.sendDigits("*6")
        try await Task.sleep(for: .milliseconds(400))
        let muted = try await listener.listen(for: .seconds(1))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[1], in: muted, sampleRate: 48_000), -35, "*6 mutes")
        for key in ["*", "6"] {
            let status = try await talker.sendInDialog("INFO", body: "Signal=\(key)\r\nDuration=160\r\n", contentType: "application/dtmf-relay")
            XCTAssertEqual(status, 200)
        }
        try await Task.sleep(for: .milliseconds(500))
        let unmuted = try await listener.listen(for: .seconds(1))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tones[1], in: unmuted, sampleRate: 48_000), -15, "*6 by INFO unmutes")
        for phone in [listener, talker] {
            _ = try await phone.hangUp()
            await phone.close()
        }
        await server.shutdown()
    }

    func testRoomsCreatedByMessageSurviveARestartOfTheServerProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-store-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let port = try ChorusProcess.freePort()
        let environment = [
            "CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port)",
            "CHORUS_STORAGE_DIRECTORY": directory.path,
            "CHORUS_COMMANDS_USERS": "alice:wonderland",
            "CHORUS_COMMANDS_ADMINS": "alice",
            "CHORUS_LOG_LEVEL": "info",
        ]
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let first = ChorusProcess(["serve"], environment: environment)
        try first.start()
        try await first.waitForOutput("Chorus is ready")
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let created = try await admin.send("create 4300 pin 1357 max 7 owner sip:bob@example.com")
        XCTAssertEqual(created.reply, "room 4300 created")
        // A caller who dials the PIN in the URI: the info log shows the call, not the PIN.
        let caller = try await TestPhone.dial(room: "4300*1357", server: address)
        _ = try await caller.hangUp()
        await caller.close()
        let locked = try await admin.send("lock 4300")
        XCTAssertEqual(locked.status, 200)
        first.signal(SIGTERM)
        let firstStatus = try await first.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(firstStatus, 0)
        XCTAssertTrue(first.text.contains("INVITE sip:4300*****@"), first.text)
        // As a word of its own: random call-ids, tags, nonces and port numbers may hold the digits.
        let log = first.text
        if let found = log.range(of: "(?<![0-9A-Za-z])1357(?![0-9A-Za-z])", options: .regularExpression) {
            let line = log[..<found.upperBound].split(separator: "\n").last.map(String.init) ?? ""
            XCTFail("PINs never reach the log: \(line)")
        }

        let second = ChorusProcess(["serve"], environment: environment)
        try second.start()
        try await second.waitForOutput("Chorus is ready")
        let info = try await admin.send("info 4300 --json")
        let reply = info.reply ?? ""
        XCTAssertTrue(reply.contains("\"maxParticipants\":7") || reply.contains("\"maxParticipants\" : 7"), reply)
        XCTAssertTrue(reply.contains("\"hasPIN\":true") || reply.contains("\"hasPIN\" : true"), reply)
        XCTAssertTrue(reply.contains("\"locked\":true") || reply.contains("\"locked\" : true"), reply)
        XCTAssertTrue(reply.contains("sip:bob@example.com"), reply)
        second.signal(SIGTERM)
        _ = try await second.waitForExit(timeout: .seconds(10))
        await admin.close()
    }
}
