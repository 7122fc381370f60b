import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest
@testable import ChorusServer

/// Flood and scan resistance of the real server over loopback: per-source request rates that
/// engage and release, call and connection limits, slow and oversize connections cut, and answers
/// that tell an unauthenticated scanner nothing about which rooms exist. A second source is
/// 127.0.0.2 (all of 127/8 is loopback).
final class FloodAndScanIntegrationTests: XCTestCase {
    private static func options(callID: String = "scan-\(UInt32.random(in: 0...UInt32.max))", from client: RawSIPClient, uri: String? = nil) -> String {
        request("OPTIONS", uri: uri ?? "sip:chorus@\(client.server.sipHostPort)", callID: callID, from: client)
    }

    private static func request(_ method: String, uri: String, callID: String, from client: RawSIPClient, body: String = "", extra: [String] = []) -> String {
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/\(client.kind.isDatagram ? "UDP" : "TCP") 127.0.0.1:\(client.localPort);branch=z9hG4bK\(UInt64.random(in: 0...UInt64.max));rport",
            "Max-Forwards: 70",
            "From: <sip:scanner@127.0.0.1>;tag=\(UInt32.random(in: 0...UInt32.max))",
            "To: <\(uri)>",
            "Call-ID: \(callID)",
            "CSeq: 1 \(method)",
            "Contact: <sip:scanner@127.0.0.1:\(client.localPort)>",
        ] + extra
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Sends `count` OPTIONS without waiting, then collects the answers' status codes (bounded wait).
    private func burst(_ count: Int, from client: RawSIPClient) async throws -> [SIPResponse] {
        for _ in 0..<count { try await client.send(Self.options(from: client)) }
        var responses: [SIPResponse] = []
        while responses.count < count, let response = try? await client.response(timeout: .milliseconds(800)) { responses.append(response) }
        return responses
    }

    func testTheRequestRateEngagesPerSourceAndReleases() async throws {
        var configuration = TestServer.configuration()
        configuration.security.requestsPerSecond = 5
        configuration.security.requestBurst = 10
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let flooder = try await RawSIPClient.connect(.udp, to: address)
        let answers = try await burst(30, from: flooder)
        let refused = answers.filter { $0.statusCode == 503 }
        XCTAssertEqual(answers.filter { $0.statusCode == 200 }.count, 10, "the burst goes through, no more")
        XCTAssertEqual(refused.count, 10, "as many again are answered 503; the rest are not even parsed")
        XCTAssertNotNil(refused.first?.headers["Retry-After"].flatMap(Int.init))
        // Another source is not affected.
        let bystander = try await RawSIPClient.connect(.udp, to: address, from: "127.0.0.2")
        try await bystander.send(Self.options(from: bystander))
        let bystanderAnswer = try await bystander.response()
        XCTAssertEqual(bystanderAnswer.statusCode, 200)
        // Released: after a second at 5/s there are tokens again.
        try await Task.sleep(for: .milliseconds(1100))
        let later = try await burst(3, from: flooder)
        XCTAssertEqual(later.map(\.statusCode), [200, 200, 200])
        await flooder.close()
        await bystander.close()
        await server.shutdown()
    }

    func testOverTheRateNothingIsAnsweredWhenTheConfigurationSaysDrop() async throws {
        var configuration = TestServer.configuration()
        configuration.security.requestsPerSecond = 1
        configuration.security.requestBurst = 3
        configuration.security.overLimit = .drop
        let server = try await TestServer.start(configuration)
        let flooder = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        let answers = try await burst(10, from: flooder)
        XCTAssertEqual(answers.map(\.statusCode), [200, 200, 200], "the rest get no answer at all")
        await flooder.close()
        await server.shutdown()
    }

    func testAnINVITEFloodFromOneSourceDoesNotDisturbACallFromAnother() async throws {
        let server = try await TestServer.start()
        let address = try await server.address(.udp)
        let tones = ConferenceAudioCheck.tones
        let phones = try await TestPhone.dialTalkers(2, server: address)
        for phone in phones { phone.startSending() }
        // 127.0.0.2 floods INVITEs (with SDP) into the same room while the two talk.
        let flooder = try await RawSIPClient.connect(.udp, to: address, from: "127.0.0.2")
        let sdp = "v=0\r\no=x 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        for index in 0..<2000 {
            try await flooder.send(Self.request("INVITE", uri: "sip:4200@\(address.sipHostPort)", callID: "flood-\(index)", from: flooder, body: sdp))
            if index % 100 == 99 { try await Task.sleep(for: .milliseconds(20)) }
        }
        for phone in phones { await phone.clearRecording() }
        try await Task.sleep(for: .milliseconds(1200))
        for (index, phone) in phones.enumerated() {
            ConferenceAudioCheck.assertHears(
                Array((await phone.recording()).suffix(48_000)), sampleRate: 48_000, heard: [tones[1 - index]], silent: [tones[index]],
                "phone \(index) during the flood")
        }
        let calls = await server.callCount
        XCTAssertLessThanOrEqual(calls, 2 + ChorusConfiguration.defaults.security.maxCallsPerSource, "the flood's calls are bounded per source")
        await TestPhone.hangUpAll(phones)
        await flooder.close()
        await server.shutdown()
    }

    func testCallsPerSourceAndInAllAreBounded() async throws {
        var configuration = TestServer.configuration()
        configuration.security.maxCallsPerSource = 2
        configuration.security.maxCalls = 3
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let first = try await TestPhone.dial(room: "4200", server: address)
        let second = try await TestPhone.dial(room: "4200", server: address)
        let third = try await TestPhone.refusal(room: "4200", server: address)
        XCTAssertEqual(third?.statusCode, 503, "a third call from one source is refused")
        XCTAssertEqual(third?.reason, "Too Many Calls From Your Address")
        // A call from elsewhere fills the server; the next one from anywhere is refused.
        let other = try await RawSIPClient.connect(.udp, to: address, from: "127.0.0.2")
        let sdp = "v=0\r\no=x 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        try await other.send(Self.request("INVITE", uri: "sip:4200@\(address.sipHostPort)", callID: "third", from: other, body: sdp))
        let answer = try await other.response(timeout: .seconds(5))
        XCTAssertEqual(answer.statusCode, 200)
        try await other.send(Self.request("INVITE", uri: "sip:4200@\(address.sipHostPort)", callID: "fourth", from: other, body: sdp))
        let full = try await other.response(timeout: .seconds(5))
        XCTAssertEqual(full.statusCode, 503)
        XCTAssertEqual(full.reasonPhrase, "Too Many Calls")
        XCTAssertNotNil(full.headers["Retry-After"])
        // When a call ends, its source may call again.
        _ = try await second.hangUp()
        let again = try await TestPhone.dial(room: "4200", server: address)
        await TestPhone.hangUpAll([first, again])
        await second.close()
        await other.close()
        await server.shutdown()
    }

    func testConnectionsPerSourceAreBoundedAndSlowOrOversizeOnesAreCut() async throws {
        var configuration = TestServer.configuration()
        configuration.sip.limits.maxConnectionsPerSource = 3
        configuration.sip.limits.messageTimeout = .seconds(1)
        configuration.sip.limits.maxMessageBytes = 4096
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.tcp)
        var open: [RawSIPClient] = []
        for _ in 0..<3 {
            let client = try await RawSIPClient.connect(.tcp, to: address)
            try await client.send(Self.options(from: client))
            let answer = try await client.response()
        XCTAssertEqual(answer.statusCode, 200)
            open.append(client)
        }
        let fourth = try await RawSIPClient.connect(.tcp, to: address)
        let refused = await fourth.receive(timeout: .seconds(2))
        XCTAssertNil(refused, "the fourth connection from one source is closed at once")
        XCTAssertFalse(fourth.isConnected)
        let elsewhere = try await RawSIPClient.connect(.tcp, to: address, from: "127.0.0.2")
        try await elsewhere.send(Self.options(from: elsewhere))
        let answer = try await elsewhere.response()
        XCTAssertEqual(answer.statusCode, 200, "another source still gets in")
        for client in open { await client.close() }
        await elsewhere.close()

        // Slow loris: half a message, then nothing. Closed after message_timeout.
        let slow = try await RawSIPClient.connect(.tcp, to: address)
        try await slow.send("OPTIONS sip:chorus@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1")
        let started = ContinuousClock.now
        let nothing = await slow.receive(timeout: .seconds(4))
        XCTAssertNil(nothing)
        XCTAssertFalse(slow.isConnected, "a message that never completes closes the connection")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        // A connection that never says anything is closed too.
        let silent = try await RawSIPClient.connect(.tcp, to: address)
        _ = await silent.receive(timeout: .seconds(3))
        XCTAssertFalse(silent.isConnected)

        // Oversize: a Content-Length beyond max_message_bytes closes the connection.
        let big = try await RawSIPClient.connect(.tcp, to: address)
        try await big.send(
            Self.request("OPTIONS", uri: "sip:chorus@\(address.sipHostPort)", callID: "big", from: big).replacingOccurrences(
                of: "Content-Length: 0", with: "Content-Length: 100000"))
        try? await big.send(String(repeating: "x", count: 8192))  // the server may have closed already
        _ = await big.receive(timeout: .seconds(2))
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertFalse(big.isConnected, "an oversize message closes the connection")
        await server.shutdown()
    }

    func testWithoutAutoCreateALockedRoomAnswersLikeAnUnknownOneAndMESSAGEChallengesFirst() async throws {
        var configuration = CommandIntegrationTests.configuration()
        configuration.conference.autoCreate = false
        configuration.conference.rooms = [RoomSpec(id: "4200"), RoomSpec(id: "4300")]
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let lockedByAdmin = try await admin.send("lock 4300")
        XCTAssertEqual(lockedByAdmin.status, 200)
        let scanner = try await RawSIPClient.connect(.udp, to: address, from: "127.0.0.2")
        let sdp = "v=0\r\no=x 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

        /// What a scanner can compare: status, reason and the header names.
        func fingerprint(_ method: String, room: String) async throws -> String {
            let body = method == "INVITE" ? sdp : ""
            try await scanner.send(Self.request(method, uri: "sip:\(room)@\(address.sipHostPort)", callID: "\(method)-\(room)", from: scanner, body: body))
            let response = try await scanner.response(timeout: .seconds(3))
            if method == "INVITE" {
                // ACK the final answer so nothing is retransmitted.
                try await scanner.send(
                    Self.request("ACK", uri: "sip:\(room)@\(address.sipHostPort)", callID: "\(method)-\(room)", from: scanner))
            }
            let names = response.headers.fields.map { $0.name.lowercased() }.sorted()
            return "\(response.statusCode) \(response.reasonPhrase) \(names)"
        }
        let locked = try await fingerprint("INVITE", room: "4300")
        let unknown = try await fingerprint("INVITE", room: "9999")
        XCTAssertEqual(locked, unknown)
        XCTAssertTrue(unknown.hasPrefix("404 No Such Room"), unknown)
        // MESSAGE: authentication comes before the room, so every room gets the same challenge.
        let messageKnown = try await fingerprint("MESSAGE", room: "4200")
        let messageUnknown = try await fingerprint("MESSAGE", room: "9999")
        XCTAssertEqual(messageKnown, messageUnknown)
        XCTAssertTrue(messageKnown.hasPrefix("401 "), messageKnown)
        // OPTIONS and REGISTER say nothing about rooms either.
        for method in ["OPTIONS", "REGISTER"] {
            let known = try await fingerprint(method, room: "4200")
            let unknownRoom = try await fingerprint(method, room: "9999")
            XCTAssertEqual(known, unknownRoom, method)
        }
        await scanner.close()
        await admin.close()
        await server.shutdown()
    }
}
