import ChorusServer
import ChorusSIP
import NIOCore
import ChorusTestSupport
import XCTest

/// The real server on loopback, spoken to over real UDP and TCP sockets.
final class ServerIntegrationTests: XCTestCase {
    private func request(
        _ method: String, client: RawSIPClient, transport: String = "UDP", branch: String = "z9hG4bK\(UInt32.random(in: 0...UInt32.max))",
        uri: String = "sip:4200@127.0.0.1", extra: [String] = [], body: String = "", contentType: String? = nil, maxForwards: Int = 70
    ) -> String {
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/\(transport) 127.0.0.1:\(client.localPort);branch=\(branch);rport",
            "Max-Forwards: \(maxForwards)",
            "From: \"Test\" <sip:test@127.0.0.1>;tag=\(UInt32.random(in: 0...UInt32.max))",
            "To: <\(uri)>",
            "Call-ID: \(UInt64.random(in: 0...UInt64.max))@127.0.0.1",
            "CSeq: 1 \(method)",
            "Contact: <sip:test@127.0.0.1:\(client.localPort)>",
        ]
        lines += extra
        if let contentType { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    func testOptionsOverUDPGets200WithRport() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        try await client.send(request("OPTIONS", client: client))
        let ok = try await client.response()
        XCTAssertEqual(ok.statusCode, 200)
        XCTAssertEqual(ok.headers["Allow"], "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, REFER, SUBSCRIBE, NOTIFY")
        XCTAssertEqual(ok.via.first?.rport, client.localPort)
        XCTAssertEqual(ok.via.first?.received, "127.0.0.1")
        await client.close()
        await server.shutdown()
    }

    func testOptionsOverTCPWithKeepAlivesAndPipelining() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.tcp, to: try await server.address(.tcp))
        // A CRLF keep-alive, then two requests in one write, the second split across two writes.
        let first = request("OPTIONS", client: client, transport: "TCP")
        let second = request("OPTIONS", client: client, transport: "TCP")
        let splitAt = second.utf8.count / 2
        try await client.send("\r\n\r\n" + first + String(second.prefix(splitAt)))
        try await Task.sleep(for: .milliseconds(50))
        try await client.send(String(second.dropFirst(splitAt)))
        let answers = [try await client.response(), try await client.response()]
        XCTAssertEqual(answers.map(\.statusCode), [200, 200])
        XCTAssertEqual(Set(answers.map(\.callID)).count, 2, "both requests answered on the same connection")
        XCTAssertTrue(client.isConnected)
        await client.close()
        await server.shutdown()
    }

    func testTCPWithoutContentLengthIsClosed() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.tcp, to: try await server.address(.tcp))
        let text = request("OPTIONS", client: client, transport: "TCP").replacingOccurrences(of: "Content-Length: 0\r\n", with: "")
        try await client.send(text)
        let answer = await client.receive(timeout: .seconds(3))
        XCTAssertNil(answer, "a stream that cannot be framed gets no answer")
        XCTAssertFalse(client.isConnected, "and its connection is closed")
        await server.shutdown()
    }

    func testInviteToAnUnknownRoomGets100Then404() async throws {
        var configuration = TestServer.configuration()
        configuration.conference.autoCreate = false
        let server = try await TestServer.start(configuration)
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        try await client.send(request("INVITE", client: client, body: "v=0\r\n", contentType: "application/sdp"))
        let trying = try await client.response(skippingProvisional: false)
        XCTAssertEqual(trying.statusCode, 100)
        let notFound = try await client.response()
        XCTAssertEqual(notFound.statusCode, 404)
        XCTAssertEqual(notFound.reasonPhrase, "No Such Room")
        XCTAssertNotNil(notFound.to.tag)
        await client.close()
        await server.shutdown()
    }

    func testGarbageSDPGets400AndAVideoOnlyOffer488() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        try await client.send(request("INVITE", client: client, body: "this is not SDP\r\n", contentType: "application/sdp"))
        let garbage = try await client.response()
        XCTAssertEqual(garbage.statusCode, 400)
        XCTAssertNotNil(garbage.headers["Warning"], "400 says what was wrong")
        let video = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
        try await client.send(request("INVITE", client: client, body: video, contentType: "application/sdp"))
        let noAudio = try await client.response()
        XCTAssertEqual(noAudio.statusCode, 488)
        XCTAssertNotNil(noAudio.headers["Warning"])
        await client.close()
        await server.shutdown()
    }

    func testAnOfferCrossingChorusOwnPendingOfferGets491() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        let callID = "glare-\(UInt32.random(in: 0...UInt32.max))"
        func invite(cseq: Int, toTag: String?, body: String) -> String {
            var lines = [
                "INVITE sip:4200@127.0.0.1 SIP/2.0",
                "Via: SIP/2.0/UDP 127.0.0.1:\(client.localPort);branch=z9hG4bK\(UInt32.random(in: 0...UInt32.max));rport",
                "Max-Forwards: 70", "From: <sip:a@127.0.0.1>;tag=glare", "To: <sip:4200@127.0.0.1>" + (toTag.map { ";tag=\($0)" } ?? ""),
                "Call-ID: \(callID)", "CSeq: \(cseq) INVITE", "Contact: <sip:a@127.0.0.1:\(client.localPort)>",
            ]
            if !body.isEmpty { lines.append("Content-Type: application/sdp") }
            lines.append("Content-Length: \(body.utf8.count)")
            return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
        }
        // Late offer: Chorus's 200 OK carries its offer and waits for the answer in the ACK.
        try await client.send(invite(cseq: 1, toTag: nil, body: ""))
        let ok = try await client.response()
        XCTAssertEqual(ok.statusCode, 200)
        XCTAssertTrue(String(decoding: ok.body, as: UTF8.self).contains("m=audio "))
        // Before that ACK, the caller offers: the offers cross.
        let sdp = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
        try await client.send(invite(cseq: 2, toTag: ok.to.tag, body: sdp))
        var glare: SIPResponse
        repeat { glare = try await client.response() } while glare.cseq.sequence != 2
        XCTAssertEqual(glare.statusCode, 491)
        await client.close()
        await server.shutdown()
    }

    func testGenericRejections() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        let cases: [(String, Int, String?)] = [
            (request("REGISTER", client: client, uri: "sip:127.0.0.1"), 405, "Allow"),
            (request("PUBLISH", client: client), 405, "Allow"),
            (request("INVITE", client: client, extra: ["Require: timer-frobs"]), 420, "Unsupported"),
            (request("INVITE", client: client, maxForwards: 0), 483, nil),
            (request("INVITE", client: client, body: "hello", contentType: "text/html"), 415, "Accept"),
        ]
        for (text, code, header) in cases {
            try await client.send(text)
            let answer = try await client.response()
            XCTAssertEqual(answer.statusCode, code, text.components(separatedBy: "\r\n")[0])
            if let header { XCTAssertNotNil(answer.headers[header], "\(code) carries \(header)") }
        }
        await client.close()
        await server.shutdown()
    }

    func testMalformedInputNeverStopsTheServer() async throws {
        let server = try await TestServer.start()
        let client = try await RawSIPClient.connect(.udp, to: try await server.address(.udp))
        var generator = SystemRandomNumberGenerator()
        for size in [1, 7, 100, 1400, 9000] {
            let junk = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try await client.sendBytes(ByteBuffer(bytes: junk))
        }
        // A request with a broken header gets a 400 that says so.
        try await client.send(request("OPTIONS", client: client).replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards: x"))
        let bad = await client.receive()
        let badText = bad.map { String(buffer: $0) } ?? ""
        XCTAssertTrue(badText.hasPrefix("SIP/2.0 400 "), badText)
        XCTAssertTrue(badText.contains("Max-Forwards"), badText)
        // And the server still answers.
        try await client.send(request("OPTIONS", client: client))
        let ok = try await client.response()
        XCTAssertEqual(ok.statusCode, 200)
        await client.close()
        await server.shutdown()
    }

    func testOptionsOverIPv6WhenLoopbackHasIt() async throws {
        let configuration = TestServer.configuration(listen: [
            ListenAddress(transport: .udp, host: "::1", port: 0),
            ListenAddress(transport: .udp, host: "127.0.0.1", port: 0),
        ])
        let server: ChorusServer
        do {
            server = try await TestServer.start(configuration)
        } catch {
            throw XCTSkip("no IPv6 loopback on this machine: \(error)")
        }
        let listeners = await server.listeners
        let v6 = try XCTUnwrap(listeners.first { $0.address.protocol == .inet6 })
        let client = try await RawSIPClient.connect(.udp, to: v6.address)
        let text = request("OPTIONS", client: client).replacingOccurrences(of: "127.0.0.1:\(client.localPort)", with: "[::1]:\(client.localPort)")
        try await client.send(text)
        let ok = try await client.response()
        XCTAssertEqual(ok.statusCode, 200)
        XCTAssertEqual(ok.via.first?.host, "[::1]")
        await client.close()
        await server.shutdown()
    }

    /// A test that throws before `shutdown()` drops its server while calls run. The calls' media
    /// sockets stay on the event loops, and their read handlers once held their legs unowned: the
    /// next RTP packet aborted the whole test process ("Attempted to read an unowned reference but
    /// object was already destroyed"). Now the released server shuts
    /// itself down in the background, as `shutdown()` would.
    func testAServerReleasedWithoutShutdownShutsItselfDownWhileItsPhonesKeepSending() async throws {
        weak var released: ChorusServer?
        let address: SocketAddress
        let phones: [TestPhone]
        do {
            let server = try await TestServer.start()
            released = server
            address = try await server.address(.udp)
            phones = try await [
                TestPhone.dial(room: "4200", server: address, options: .init(tone: 500)),
                TestPhone.dial(room: "4200", server: address, options: .init(tone: 800)),
            ]
            for phone in phones { phone.startSending() }
            try await Task.sleep(for: .milliseconds(300))
            // No `server.shutdown()`: the server goes with this scope.
        }
        // The phones go on sending RTP to the released server's legs; each call is hung up.
        for phone in phones {
            let hungUp = try await phone.awaitRequest("BYE", timeout: .seconds(5))
            XCTAssertTrue(hungUp)
        }
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertNil(released, "nothing kept the server itself")
        // Its listener is closed: an OPTIONS goes unanswered.
        let client = try await RawSIPClient.connect(.udp, to: address)
        try await client.send(request("OPTIONS", client: client))
        let answer = await client.receive(timeout: .seconds(1))
        XCTAssertNil(answer.map { String(buffer: $0) })
        for phone in phones { await phone.close() }
        await client.close()
    }
}
