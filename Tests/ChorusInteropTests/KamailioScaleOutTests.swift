import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// Scale-out as deployed: a real Kamailio running the shipped `Deploy/kamailio/kamailio.cfg`
/// (dispatcher hashing on the Request-URI user, Record-Route, OPTIONS probing) in front of two
/// Chorus nodes, all on loopback. Phones dial rooms through the proxy only.
final class KamailioScaleOutTests: XCTestCase {
    static let rooms = (1...8).map { "room-\($0)" }
    static let pingInterval = 1
    static let failureTimeoutMilliseconds = 1000

    private struct Node {
        let sipPort: Int
        let process: ChorusProcess
    }

    private func startNode(rtpBase: Int) async throws -> Node {
        let port = try ChorusProcess.freePort()
        let process = ChorusProcess(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port),tcp://127.0.0.1:\(port)",
            "CHORUS_MEDIA_PORT_MIN": "\(rtpBase)",
            "CHORUS_MEDIA_PORT_MAX": "\(rtpBase + 199)",
            "CHORUS_SHUTDOWN_GRACE_SECONDS": "2",
            "CHORUS_COMMANDS_USERS": "alice:wonderland",
            "CHORUS_COMMANDS_ADMINS": "alice",
            "CHORUS_STORAGE_DIRECTORY": FileManager.default.temporaryDirectory.appendingPathComponent("chorus-node-\(UUID().uuidString)").path,
            "CHORUS_LOG_LEVEL": "info",
        ])
        try process.start()
        try await process.waitForOutput("Chorus is ready")
        return Node(sipPort: port, process: process)
    }

    /// The port in the Contact of Chorus's 200 OK: which node took the call.
    private static func nodePort(of phone: TestPhone) -> Int? {
        let contact = phone.contactHeader
        guard let at = contact.lastIndex(of: "@") ?? contact.firstIndex(of: ":") else { return nil }
        let hostPort = contact[contact.index(after: at)...].prefix { $0 != ">" && $0 != ";" }
        return hostPort.split(separator: ":").last.flatMap { Int($0) }
    }

    private func dialTimed(_ room: String, proxy: SocketAddress, tone: Double = 500) async throws -> (TestPhone, Duration) {
        let started = ContinuousClock.now
        let phone = try await TestPhone.dial(room: room, server: proxy, options: .init(tone: tone))
        return (phone, ContinuousClock.now - started)
    }

    func testRoomsSpreadByRoomAcrossNodesAndFailOverWhenANodeStops() async throws {
        try Kamailio.requireInstalled()
        var logs = { "" }
        do {
            try await scaleOut { logs = $0 }
        } catch {
            XCTFail("\(error)\n\(logs())")
        }
    }

    private func scaleOut(_ exposeLog: (@escaping () -> String) -> Void) async throws {
        let nodeA = try await startNode(rtpBase: 32_000)
        let nodeB = try await startNode(rtpBase: 32_400)
        let kamailio = try Kamailio(
            nodes: [nodeA.sipPort, nodeB.sipPort], pingInterval: Self.pingInterval,
            failureTimeoutMilliseconds: Self.failureTimeoutMilliseconds)
        defer { kamailio.stop() }
        exposeLog { "Kamailio's log:\n\(kamailio.log.suffix(5000))\nnode A's log:\n\(nodeA.process.text.suffix(3000))\nnode B's log:\n\(nodeB.process.text.suffix(2000))" }
        let proxy = try SocketAddress(ipAddress: "127.0.0.1", port: kamailio.port)

        // Kamailio answers OPTIONS to itself once it listens.
        var proxyUp = false
        for _ in 0..<100 where !proxyUp {
            let ping = try await ChorusProcess.run(["ping", "sip:127.0.0.1:\(kamailio.port)"], timeout: .seconds(5))
            proxyUp = ping.status == 0
            if !proxyUp { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(proxyUp, "Kamailio answers OPTIONS; its log:\n\(kamailio.log)")
        guard proxyUp else { return }

        // 1. One phone per room: the rooms spread over both nodes.
        var first: [String: TestPhone] = [:]
        var home: [String: Int] = [:]
        for room in Self.rooms {
            let phone = try await TestPhone.dial(room: room, server: proxy, options: .init(tone: 500))
            first[room] = phone
            home[room] = Self.nodePort(of: phone)
        }
        let onA = Self.rooms.filter { home[$0] == nodeA.sipPort }
        let onB = Self.rooms.filter { home[$0] == nodeB.sipPort }
        print("scale-out: rooms on node A (\(nodeA.sipPort)): \(onA); on node B (\(nodeB.sipPort)): \(onB)")
        XCTAssertEqual(onA.count + onB.count, Self.rooms.count, "every call landed on a node: \(home)")
        XCTAssertFalse(onA.isEmpty, "node A has rooms")
        XCTAssertFalse(onB.isEmpty, "node B has rooms")
        guard let roomA = onA.first, let roomB = onB.first else { return }

        print("scale-out: 2.")
        // 2. A second participant of every room lands on that room's node.
        var second: [String: TestPhone] = [:]
        for room in Self.rooms {
            let phone = try await TestPhone.dial(room: room, server: proxy, options: .init(tone: 800))
            second[room] = phone
            XCTAssertEqual(Self.nodePort(of: phone), home[room], "the second participant of \(room) joins its node")
        }

        print("scale-out: 3.")
        // 3. The members of a room on each node hear each other, through the proxy's routing.
        for room in [roomA, roomB] {
            first[room]!.startSending()
            second[room]!.startSending()
        }
        try await Task.sleep(for: .milliseconds(2400))
        for room in [roomA, roomB] {
            let one = Array((await first[room]!.recording()).suffix(48_000))
            let two = Array((await second[room]!.recording()).suffix(48_000))
            ConferenceAudioCheck.assertHears(one, sampleRate: 48_000, heard: [800], silent: [500], "\(room) phone 1")
            ConferenceAudioCheck.assertHears(two, sampleRate: 48_000, heard: [500], silent: [800], "\(room) phone 2")
        }

        print("scale-out: 4.")
        // 4. Out-of-dialog requests for a room reach its node too (OPTIONS here; SIP MESSAGE
        //    commands take the same route through the dispatcher).
        for room in [roomA, roomB] {
            let client = try await RawSIPClient.connect(.udp, to: proxy)
            let callID = "options-\(room)-\(UUID().uuidString)"
            try await client.send(
                [
                    "OPTIONS sip:\(room)@127.0.0.1:\(kamailio.port) SIP/2.0",
                    "Via: SIP/2.0/UDP 127.0.0.1:\(client.localPort);branch=z9hG4bK\(UInt32.random(in: 0...UInt32.max));rport",
                    "Max-Forwards: 70", "From: <sip:probe@127.0.0.1>;tag=p1", "To: <sip:\(room)@127.0.0.1>",
                    "Call-ID: \(callID)", "CSeq: 1 OPTIONS", "Content-Length: 0",
                ].joined(separator: "\r\n") + "\r\n\r\n")
            let response = try await client.response(timeout: .seconds(5))
            XCTAssertEqual(response.statusCode, 200, "OPTIONS for \(room)")
            await client.close()
            try await Task.sleep(for: .milliseconds(200))
            let (own, other) = room == roomA ? (nodeA, nodeB) : (nodeB, nodeA)
            XCTAssertTrue(own.process.text.contains("OPTIONS sip:\(room)@"), "OPTIONS for \(room) reached its node")
            XCTAssertFalse(other.process.text.contains("OPTIONS sip:\(room)@"), "OPTIONS for \(room) did not reach the other node")
        }

        // 5. A MESSAGE command for a room reaches its node, and the reply comes back through the
        //    proxy: `who` lists the room's two participants.
        for room in [roomA, roomB] {
            let admin = try await CommandClient(server: proxy, username: "alice", password: "wonderland")
            let who = try await admin.send("who", to: room)
            XCTAssertEqual(who.status, 200, "MESSAGE for \(room) through the proxy")
            let listed = (who.reply ?? "").split(whereSeparator: \.isNewline).filter { $0.first?.isNumber == true }
            XCTAssertEqual(listed.count, 2, "the node holding \(room) answered: \(who.reply ?? "no reply")")
            await admin.close()
        }

        print("scale-out: Everyone but")
        // Everyone but one participant of roomB hangs up (BYE through the proxy).
        for room in Self.rooms {
            for phone in [first[room]!, second[room]!] where !(room == roomB && phone === first[room]!) {
                let status = try await phone.hangUp()
                XCTAssertEqual(status, 200, "BYE in \(room) through the proxy")
                await phone.close()
            }
        }

        print("scale-out: 5.")
        // 5. Node B stops (SIGTERM): its remaining call gets BYE through the proxy's route set, and
        //    B exits 0. Then new calls for B's rooms land on A.
        let survivor = first[roomB]!
        nodeB.process.signal(SIGTERM)
        let gotBye = try await survivor.awaitRequest("BYE", timeout: .seconds(6))
        XCTAssertTrue(gotBye, "the call on the stopped node is hung up with BYE via Kamailio")
        await survivor.close()
        let status = try await nodeB.process.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(status, 0, "node B exits 0 on SIGTERM")
        let stopped = ContinuousClock.now

        print("scale-out: Immediately")
        // Immediately: the proxy may not know yet; a timeout or 503 fails over to the next node.
        let (early, earlyTime) = try await dialTimed(onB[0], proxy: proxy)
        XCTAssertEqual(Self.nodePort(of: early), nodeA.sipPort, "a new call for \(onB[0]) lands on node A")
        let firstLanded = ContinuousClock.now - stopped
        print("scale-out: first new call for a room of the stopped node answered by node A \(firstLanded) after B exited (setup \(earlyTime))")
        XCTAssertLessThan(firstLanded, .seconds(Self.pingInterval) + .milliseconds(Self.failureTimeoutMilliseconds) + .seconds(2))
        _ = try await early.hangUp()
        await early.close()

        print("scale-out: After one probing")
        // After one probing interval (plus the probe's timeout) the proxy has taken B out: calls for
        // B's rooms go straight to A, with no failover delay.
        try await Task.sleep(for: .seconds(Self.pingInterval) + .milliseconds(Self.failureTimeoutMilliseconds) + .milliseconds(500))
        for room in onB {
            let (phone, setup) = try await dialTimed(room, proxy: proxy)
            XCTAssertEqual(Self.nodePort(of: phone), nodeA.sipPort, "\(room) now lives on node A")
            XCTAssertLessThan(setup, .milliseconds(Self.failureTimeoutMilliseconds), "\(room): no failover wait once B is out (\(setup))")
            _ = try await phone.hangUp()
            await phone.close()
        }
        // Rooms that were on A stay there.
        let (stay, _) = try await dialTimed(roomA, proxy: proxy)
        XCTAssertEqual(Self.nodePort(of: stay), nodeA.sipPort)
        _ = try await stay.hangUp()
        await stay.close()

        kamailio.stop()
        nodeA.process.signal(SIGTERM)
        let statusA = try await nodeA.process.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(statusA, 0)
    }
}
