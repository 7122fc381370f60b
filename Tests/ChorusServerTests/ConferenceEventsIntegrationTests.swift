import ChorusServer
import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// The conference event package (RFC 4575 over RFC 6665) against the real server on loopback:
/// who may subscribe, the full document and the partial ones with rising versions on join, mute,
/// talking and leave, refresh and expiry, the end of the room; every document validated against
/// the RFC's schema with xmllint.
final class ConferenceEventsIntegrationTests: XCTestCase {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/conference-info.xsd")

    private func assertValid(_ notification: EventSubscriber.Notification?, file: StaticString = #filePath, line: UInt = #line) throws {
        guard let notification else { return XCTFail("no NOTIFY", file: file, line: line) }
        XCTAssertEqual(notification.request.headers["Content-Type"], "application/conference-info+xml", file: file, line: line)
        XCTAssertTrue(notification.event.hasPrefix("conference"), notification.event, file: file, line: line)
        let problems = try XMLSchemaCheck.problems(in: notification.body, schema: Self.schema)
        XCTAssertNil(problems, "\(problems ?? "")\n\(notification.body)", file: file, line: line)
    }

    private func version(_ notification: EventSubscriber.Notification?) -> Int? {
        guard let body = notification?.body, let range = body.range(of: "\" version=\"") else { return nil }
        return Int(body[range.upperBound...].prefix { $0.isNumber })
    }

    /// The next NOTIFY whose body contains `text` (partial notifications may come in between).
    private func notification(
        containing text: String, from subscriber: EventSubscriber, seen versions: inout [Int], timeout: Duration = .seconds(5)
    ) async throws -> EventSubscriber.Notification? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let next = try await subscriber.nextNotify(timeout: deadline - ContinuousClock.now) else { return nil }
            try assertValid(next)
            if let version = version(next) { versions.append(version) }
            if next.body.contains(text) { return next }
        }
        return nil
    }

    func testSubscribersGetTheFullRosterThenPartialUpdatesWithRisingVersionsUntilExpiry() async throws {
        try XMLSchemaCheck.requireInstalled()
        let server = try await TestServer.start(CommandIntegrationTests.configuration())
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let carol = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0], user: "carol"))

        // Strangers are challenged and refused; other packages get 489; unknown rooms 404.
        let stranger = try await EventSubscriber(server: address, user: "4200")
        let challenged = try await stranger.subscribe(expires: 60)
        XCTAssertEqual(challenged.statusCode, 401)
        let bob = try await EventSubscriber(server: address, user: "4200", username: "bob", password: "builder")
        let notOwner = try await bob.subscribe(expires: 60)
        XCTAssertEqual(notOwner.statusCode, 403)
        let presence = try await stranger.subscribe(event: "presence", expires: 60)
        XCTAssertEqual(presence.statusCode, 489)
        XCTAssertTrue(presence.headers["Allow-Events"]?.contains("conference") ?? false)

        let admin = try await EventSubscriber(server: address, user: "4200", username: "alice", password: "wonderland")
        let noRoom = try await EventSubscriber(server: address, user: "nosuchroom", username: "alice", password: "wonderland")
        let missing = try await noRoom.subscribe(expires: 60)
        XCTAssertEqual(missing.statusCode, 404)
        let subscribed = try await admin.subscribe(expires: 60)
        XCTAssertEqual(subscribed.statusCode, 200)
        XCTAssertEqual(subscribed.headers["Expires"], "60")
        var versions: [Int] = []
        let full = try await notification(containing: "state=\"full\"", from: admin, seen: &versions)
        let body = full?.body ?? ""
        XCTAssertTrue(body.contains("entity=\"sip:4200@127.0.0.1:\(address.port!)\""), body)
        XCTAssertTrue(body.contains("<user entity=\"sip:carol@127.0.0.1\""), body)
        XCTAssertTrue(body.contains("<status>connected</status>"), body)
        XCTAssertTrue(body.contains("<type>audio</type><label>audio</label>"), body)
        XCTAssertTrue(body.contains("<user-count>1</user-count>"), body)
        XCTAssertTrue(full?.subscriptionState.hasPrefix("active;expires=") ?? false)

        // Join: a partial document with dave.
        let dave = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[1], user: "dave"))
        let joined = try await notification(containing: "sip:dave@127.0.0.1", from: admin, seen: &versions)
        XCTAssertTrue(joined?.body.contains("state=\"partial\"") ?? false, joined?.body ?? "")
        XCTAssertFalse(joined?.body.contains("sip:carol@") ?? true, "a partial document names only what changed")
        // Mute, by command: dave is muted via the focus and can only receive.
        let commands = try await CommandClient(server: address, username: "alice", password: "wonderland")
        _ = try await commands.send("mute 4200 sip:dave@127.0.0.1")
        let muted = try await notification(containing: "muted-via-focus", from: admin, seen: &versions)
        XCTAssertTrue(muted?.body.contains("<status>recvonly</status>") ?? false, muted?.body ?? "")
        // Talking: carol's tone makes her talk; the SSRC of her stream is there too.
        carol.startSending()
        let talking = try await notification(containing: "<chorus:talking>true</chorus:talking>", from: admin, seen: &versions)
        XCTAssertTrue(talking?.body.contains("<src-id>") ?? false, talking?.body ?? "")
        // The same data answers `info --json`.
        let info = try await commands.send("info 4200 --json")
        XCTAssertTrue(info.reply?.contains("\"status\":\"muted-via-focus\"") ?? false, info.reply ?? "")
        XCTAssertTrue(info.reply?.contains("\"mediaStatus\":\"recvonly\"") ?? false, info.reply ?? "")
        // Leave: dave's user is deleted.
        _ = try await dave.hangUp()
        let left = try await notification(containing: "state=\"deleted\"", from: admin, seen: &versions)
        XCTAssertTrue(left?.body.contains("<user entity=\"sip:dave@127.0.0.1\" state=\"deleted\"/>") ?? false, left?.body ?? "")

        // Refresh: a short expiry, answered with a full document; then it expires.
        let refreshed = try await admin.subscribe(expires: 2)
        XCTAssertEqual(refreshed.statusCode, 200)
        XCTAssertEqual(refreshed.headers["Expires"], "2")
        _ = try await notification(containing: "state=\"full\"", from: admin, seen: &versions)
        var terminated: EventSubscriber.Notification?
        while terminated == nil, let next = try await admin.nextNotify(timeout: .seconds(4)) {
            try assertValid(next)
            if let version = version(next) { versions.append(version) }
            if next.isTerminated { terminated = next }
        }
        XCTAssertEqual(terminated?.subscriptionState, "terminated;reason=timeout")
        XCTAssertGreaterThan(versions.count, 5)
        XCTAssertEqual(versions, (0..<versions.count).map { $0 + 1 }, "one version more per NOTIFY, none skipped")
        await carol.stopSending()
        for phone in [carol, dave] { await phone.close() }
        for subscriber in [stranger, bob, admin, noRoom] { await subscriber.close() }
        await commands.close()
        await server.shutdown()
    }

    func testAParticipantSubscribesInsideItsCallAndTheEndOfTheRoomTerminatesIt() async throws {
        try XMLSchemaCheck.requireInstalled()
        let server = try await TestServer.start(CommandIntegrationTests.configuration())
        let address = try await server.address(.udp)
        let phone = try await TestPhone.dial(room: "4300", server: address, options: .init(user: "erin"))
        // From the address of a participant (and the same IP), no credentials are needed.
        let watcher = try await EventSubscriber(server: address, user: "4300", username: "erin")
        let subscribed = try await watcher.subscribe(expires: 600)
        XCTAssertEqual(subscribed.statusCode, 200)
        let first = try await watcher.nextNotify()
        try assertValid(first)
        XCTAssertTrue(first?.body.contains("sip:erin@127.0.0.1") ?? false)
        // Inside the call, SUBSCRIBE works too (RFC 4579 §6).
        let inCall = try await phone.requestInDialog("SUBSCRIBE", headers: ["Event: conference;id=7", "Expires: 600"])
        XCTAssertEqual(inCall.statusCode, 200)
        let inCallNotify = try await phone.nextRequest("NOTIFY")
        XCTAssertEqual(inCallNotify?.0.headers["Event"], "conference;id=7")
        // The last participant leaves the auto-created room: it ends, and so does the subscription.
        _ = try await phone.hangUp()
        var terminated: EventSubscriber.Notification?
        while terminated == nil, let next = try await watcher.nextNotify(timeout: .seconds(3)) {
            try assertValid(next)
            if next.isTerminated { terminated = next }
        }
        XCTAssertEqual(terminated?.subscriptionState, "terminated;reason=noresource")
        await phone.close()
        await watcher.close()
        await server.shutdown()
    }

    func testBadSubscribesGetClearErrorsAndCallersInTheLobbySeeNoRoster() async throws {
        try XMLSchemaCheck.requireInstalled()
        let server = try await TestServer.start(CommandIntegrationTests.configuration())
        let address = try await server.address(.udp)
        let commands = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let created = try await commands.send("create 4400 pin 2468")
        XCTAssertEqual(created.reply, "room 4400 created")
        let inside = try await TestPhone.dial(room: "4400*2468", server: address, options: .init(user: "gina"))
        let waiting = try await TestPhone.dial(room: "4400", server: address, options: .init(user: "hank"))

        // A caller in the lobby has not given the PIN: neither from its address nor inside its
        // call is it a participant (a stranger is challenged); one who dialed the PIN is.
        let lobbyWatcher = try await EventSubscriber(server: address, user: "4400", username: "hank")
        let challenged = try await lobbyWatcher.subscribe(expires: 60)
        XCTAssertEqual(challenged.statusCode, 401)
        let inLobbyCall = try await waiting.requestInDialog("SUBSCRIBE", headers: ["Event: conference", "Expires: 60"])
        XCTAssertEqual(inLobbyCall.statusCode, 403)
        let participant = try await EventSubscriber(server: address, user: "4400", username: "gina")
        let allowed = try await participant.subscribe(expires: 60)
        XCTAssertEqual(allowed.statusCode, 200)
        let first = try await participant.nextNotify()
        try assertValid(first)

        // Malformed requests: bad Expires, no Event, a NOTIFY nobody subscribed to.
        let admin = try await EventSubscriber(server: address, user: "4400", username: "alice", password: "wonderland")
        for expires in ["soon", "-5", "99999999999999999999999"] {
            let bad = try await admin.send("SUBSCRIBE", headers: ["Event: conference", "Expires: \(expires)"])
            XCTAssertEqual(bad.statusCode, 400, "Expires: \(expires)")
        }
        let noEvent = try await admin.send("SUBSCRIBE", headers: ["Expires: 60"])
        XCTAssertEqual(noEvent.statusCode, 489)
        XCTAssertNil(admin.toTag, "no subscription was made by any of them")
        let stray = try await EventSubscriber(server: address, user: "4400")
        let strayNotify = try await stray.send("NOTIFY", headers: ["Event: conference", "Subscription-State: active"])
        XCTAssertEqual(strayNotify.statusCode, 481)

        // A good subscription; in its dialog only SUBSCRIBE (and BYE) make sense.
        let subscribed = try await admin.subscribe(expires: 60)
        XCTAssertEqual(subscribed.statusCode, 200)
        try assertValid(try await admin.nextNotify())
        let other = try await admin.send("INFO", headers: [])
        XCTAssertEqual(other.statusCode, 405)
        // Unsubscribing (RFC 6665 §4.1.2.3): 200, then a last NOTIFY that terminates it; after
        // that the dialog is gone.
        let unsubscribed = try await admin.subscribe(expires: 0)
        XCTAssertEqual(unsubscribed.statusCode, 200)
        let last = try await admin.nextNotify()
        try assertValid(last)
        XCTAssertEqual(last?.subscriptionState, "terminated")
        let afterwards = try await admin.subscribe(expires: 60)
        XCTAssertEqual(afterwards.statusCode, 481)

        // None of it disturbed the room or the participant's subscription.
        _ = try await waiting.hangUp()
        var versions: [Int] = []
        let left = try await notification(containing: "state=\"deleted\"", from: participant, seen: &versions)
        XCTAssertTrue(left?.body.contains("<user entity=\"sip:hank@127.0.0.1\" state=\"deleted\"/>") ?? false, left?.body ?? "")
        for phone in [inside, waiting] { await phone.close() }
        for subscriber in [lobbyWatcher, participant, admin, stray] { await subscriber.close() }
        await commands.close()
        await server.shutdown()
    }

    func testASubscribeWithExpiresZeroFetchesTheRosterOnceInsideACallAndOutsideOne() async throws {
        try XMLSchemaCheck.requireInstalled()
        let server = try await TestServer.start(CommandIntegrationTests.configuration())
        let address = try await server.address(.udp)
        let phone = try await TestPhone.dial(room: "4600", server: address, options: .init(user: "erin"))

        // Outside a dialog (RFC 6665 §4.4.3): 200 with Expires: 0, then one NOTIFY with the whole
        // roster that also ends the subscription; its dialog goes with it.
        let admin = try await EventSubscriber(server: address, user: "4600", username: "alice", password: "wonderland")
        let fetched = try await admin.subscribe(expires: 0)
        XCTAssertEqual(fetched.statusCode, 200)
        XCTAssertEqual(fetched.headers["Expires"], "0")
        let document = try await admin.nextNotify()
        try assertValid(document)
        XCTAssertEqual(document?.subscriptionState, "terminated;reason=timeout")
        XCTAssertTrue(document?.body.contains("state=\"full\"") ?? false, document?.body ?? "")
        XCTAssertTrue(document?.body.contains("<user entity=\"sip:erin@127.0.0.1\"") ?? false, document?.body ?? "")
        XCTAssertTrue(document?.body.contains("version=\"1\"") ?? false, document?.body ?? "")
        let gone = try await admin.subscribe(expires: 60)
        XCTAssertEqual(gone.statusCode, 481, "the fetch left no dialog behind")

        // Inside the call: 200, and one NOTIFY in the call's dialog.
        let inCall = try await phone.requestInDialog("SUBSCRIBE", headers: ["Event: conference;id=9", "Expires: 0"])
        XCTAssertEqual(inCall.statusCode, 200)
        XCTAssertEqual(inCall.headers["Expires"], "0")
        let inCallNotify = try await phone.nextRequest("NOTIFY")
        XCTAssertEqual(inCallNotify?.0.headers["Event"], "conference;id=9")
        XCTAssertEqual(inCallNotify?.0.headers["Subscription-State"], "terminated;reason=timeout")
        let inCallBody = inCallNotify.map { String(decoding: $0.0.body, as: UTF8.self) } ?? ""
        XCTAssertNil(try XMLSchemaCheck.problems(in: inCallBody, schema: Self.schema), inCallBody)
        XCTAssertTrue(inCallBody.contains("state=\"full\""), inCallBody)
        XCTAssertTrue(inCallBody.contains("<user-count>1</user-count>"), inCallBody)

        // Neither fetch left a subscription: someone joins and nobody is told.
        let dave = try await TestPhone.dial(room: "4600", server: address, options: .init(user: "dave"))
        let unasked = try await phone.nextRequest("NOTIFY", timeout: .seconds(1))
        XCTAssertNil(unasked?.1.prefix(80), "no NOTIFY after a fetch")
        let unaskedOutside = try await admin.nextNotify(timeout: .milliseconds(500))
        XCTAssertNil(unaskedOutside, "no NOTIFY after a fetch")

        // A subscription inside the call, then withdrawn with Expires: 0: its final NOTIFY.
        let subscribed = try await phone.requestInDialog("SUBSCRIBE", headers: ["Event: conference;id=9", "Expires: 600"])
        XCTAssertEqual(subscribed.statusCode, 200)
        let active = try await phone.nextRequest("NOTIFY")
        XCTAssertTrue(active?.0.headers["Subscription-State"]?.hasPrefix("active;expires=") ?? false)
        let withdrawn = try await phone.requestInDialog("SUBSCRIBE", headers: ["Event: conference;id=9", "Expires: 0"])
        XCTAssertEqual(withdrawn.statusCode, 200)
        let final = try await phone.nextRequest("NOTIFY")
        XCTAssertEqual(final?.0.headers["Subscription-State"], "terminated")
        let after = try await phone.nextRequest("NOTIFY", timeout: .milliseconds(500))
        XCTAssertNil(after?.1.prefix(80), "one final NOTIFY, then nothing")
        for phone in [phone, dave] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testSubscriptionsAreBoundedPerSubscriberAndPerRoom() async throws {
        try XMLSchemaCheck.requireInstalled()
        var configuration = CommandIntegrationTests.configuration()
        configuration.conference.maxSubscriptionsPerRoom = 2
        configuration.conference.maxSubscriptionsPerSubscriber = 1
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let erin = try await TestPhone.dial(room: "4700", server: address, options: .init(user: "erin"))
        let frank = try await TestPhone.dial(room: "4700", server: address, options: .init(user: "frank"))

        // alice holds one: her second (another dialog, the same From address and IP) is refused.
        let alice = try await EventSubscriber(server: address, user: "4700", username: "alice", password: "wonderland")
        let subscribed = try await alice.subscribe(expires: 60)
        XCTAssertEqual(subscribed.statusCode, 200)
        try assertValid(try await alice.nextNotify())
        let aliceAgain = try await EventSubscriber(server: address, user: "4700", username: "alice", password: "wonderland")
        let refused = try await aliceAgain.subscribe(expires: 60)
        XCTAssertEqual(refused.statusCode, 403)
        XCTAssertEqual(refused.reasonPhrase, "Too Many Subscriptions")
        XCTAssertNil(aliceAgain.toTag, "no dialog was made")
        // A fetch keeps nothing, so the bounds do not refuse it.
        let fetched = try await aliceAgain.subscribe(expires: 0)
        XCTAssertEqual(fetched.statusCode, 200)
        let fetchedDocument = try await aliceAgain.nextNotify()
        try assertValid(fetchedDocument)
        XCTAssertEqual(fetchedDocument?.subscriptionState, "terminated;reason=timeout")

        // erin, from her call's address, is the room's second; frank, inside his call, its third.
        let watcher = try await EventSubscriber(server: address, user: "4700", username: "erin")
        let watching = try await watcher.subscribe(expires: 60)
        XCTAssertEqual(watching.statusCode, 200)
        try assertValid(try await watcher.nextNotify())
        let full = try await frank.requestInDialog("SUBSCRIBE", headers: ["Event: conference", "Expires: 60"])
        XCTAssertEqual(full.statusCode, 503)
        XCTAssertEqual(full.reasonPhrase, "Too Many Subscriptions To This Room")
        XCTAssertEqual(full.headers["Retry-After"], "60")
        let nothing = try await frank.nextRequest("NOTIFY", timeout: .milliseconds(500))
        XCTAssertNil(nothing?.1.prefix(80), "a refused subscription sends nothing")

        // A refresh is no new subscription: granted at the bound.
        let refreshed = try await alice.subscribe(expires: 120)
        XCTAssertEqual(refreshed.statusCode, 200)
        XCTAssertEqual(refreshed.headers["Expires"], "120")
        try assertValid(try await alice.nextNotify())
        // alice withdraws hers: there is room for frank now.
        let withdrawn = try await alice.subscribe(expires: 0)
        XCTAssertEqual(withdrawn.statusCode, 200)
        let final = try await alice.nextNotify()
        XCTAssertEqual(final?.subscriptionState, "terminated")
        let admitted = try await frank.requestInDialog("SUBSCRIBE", headers: ["Event: conference", "Expires: 60"])
        XCTAssertEqual(admitted.statusCode, 200)
        let first = try await frank.nextRequest("NOTIFY")
        XCTAssertTrue(first?.0.headers["Subscription-State"]?.hasPrefix("active") ?? false)
        for phone in [erin, frank] { await phone.close() }
        for subscriber in [alice, aliceAgain, watcher] { await subscriber.close() }
        await server.shutdown()
    }
}
