import ChorusConference
import ChorusRTP
import ChorusTestSupport
import Logging
import NIOCore
import NIOPosix
import XCTest

/// A media leg on real loopback sockets, with a test peer playing the phone.
final class MediaLegTests: XCTestCase {
    final class Digits: MediaLegDelegate, @unchecked Sendable {
        var received: [Character] = []
        func mediaLeg(_ leg: MediaLeg, didReceiveDigit digit: Character, durationMs: Int) { received.append(digit) }
    }

    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let phoneKey = (0..<30).map { UInt8($0) }
    let chorusKey = (0..<30).map { UInt8(100 + $0) }

    private func openLeg(peer: RawSIPClient, srtp: Bool = false, rtcpMux: Bool = true, maxPacketsPerSecond: Int = 150) async throws -> MediaLeg {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let keys = srtp
            ? MediaLegParameters.SRTPKeys(suite: .aesCM128HMACSHA1_80, inboundKeyingMaterial: phoneKey, outboundKeyingMaterial: chorusKey)
            : nil
        let parameters = MediaLegParameters(
            payloadType: 111, clockRate: 48000, telephoneEventPayloadType: 101, telephoneEventClockRate: 48000,
            remoteRTP: try SocketAddress(ipAddress: "127.0.0.1", port: peer.localPort), rtcpMux: rtcpMux, srtp: keys)
        var limited = parameters
        limited.maxPacketsPerSecond = maxPacketsPerSecond
        let port = try ChorusProcess.freePort(consecutive: 2)
        return try await MediaLeg.open(on: loop, host: "127.0.0.1", rtpPort: port, parameters: limited, logger: logger).get()
    }

    private func peer(toward port: Int) async throws -> RawSIPClient {
        try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
    }

    /// A peer aimed at the leg's RTP port (connect first with a placeholder, then re-aim).
    private func connectedPair(srtp: Bool = false, maxPacketsPerSecond: Int = 150) async throws -> (MediaLeg, RawSIPClient) {
        let placeholder = try await peer(toward: 9)
        let leg = try await openLeg(peer: placeholder, srtp: srtp, maxPacketsPerSecond: maxPacketsPerSecond)
        let localPort = try await loop.submit { leg.localRTPPort }.get()
        let port = try XCTUnwrap(localPort)
        await placeholder.close()
        let phone = try await peer(toward: port)
        let parameters = try await loop.submit { leg.parameters }.get()
        var changed = parameters
        changed.remoteRTP = try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort)
        let updated = changed
        try await loop.submit { try leg.update(updated) }.get()
        return (leg, phone)
    }

    private func rtp(_ sequence: UInt16, payloadType: UInt8 = 111, marker: Bool = false, payload: [UInt8] = [0xF8, 0xFF, 0xFE]) -> [UInt8] {
        RTPPacket(header: RTPHeader(marker: marker, payloadType: payloadType, sequenceNumber: sequence, timestamp: UInt32(sequence) * 960, ssrc: 0x1234_5678), payload: payload).serialized()
    }

    private func statistics(of leg: MediaLeg, until condition: @escaping @Sendable (MediaLegStatistics) -> Bool) async throws -> MediaLegStatistics {
        let deadline = ContinuousClock.now + .seconds(3)
        while true {
            let statistics = try await loop.submit { leg.statistics }.get()
            if condition(statistics) || ContinuousClock.now > deadline { return statistics }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func testPlainRTPIsBufferedAndBadPacketsAreCounted() async throws {
        let (leg, phone) = try await connectedPair()
        for sequence in 1...5 { try await phone.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        try await phone.sendBytes(ByteBuffer(bytes: rtp(6, payloadType: 0)))
        try await phone.sendBytes(ByteBuffer(bytes: [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]))
        try await phone.sendBytes(ByteBuffer(bytes: []))
        let stats = try await statistics(of: leg) { $0.rtpReceived == 5 && $0.droppedPayloadType == 1 && $0.droppedMalformed >= 1 }
        XCTAssertEqual(stats.rtpReceived, 5)
        XCTAssertEqual(stats.droppedPayloadType, 1, "PCMU was not negotiated")
        XCTAssertGreaterThanOrEqual(stats.droppedMalformed, 1)
        let buffered = try await loop.submit { leg.jitterBuffer.packetCount }.get()
        XCTAssertEqual(buffered, 5)
        await phone.close()
        try await leg.close().get()
    }

    func testAStrangerCannotTakeOverTheStream() async throws {
        let (leg, phone) = try await connectedPair()
        let localPort = try await loop.submit { leg.localRTPPort }.get()
        let port = try XCTUnwrap(localPort)
        let stranger = try await peer(toward: port)
        try await phone.sendBytes(ByteBuffer(bytes: rtp(1)))
        _ = try await statistics(of: leg) { $0.rtpReceived == 1 }
        for sequence in 2...4 { try await stranger.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        try await phone.sendBytes(ByteBuffer(bytes: rtp(5)))
        let stats = try await statistics(of: leg) { $0.droppedUnknownSource == 3 && $0.rtpReceived == 2 }
        XCTAssertEqual(stats.droppedUnknownSource, 3)
        XCTAssertEqual(stats.rtpReceived, 2)
        XCTAssertEqual(stats.sourceChanges, 0)
        await stranger.close()
        await phone.close()
        try await leg.close().get()
    }

    func testSRTPInBothDirectionsAndTamperedOrReplayedPacketsAreDropped() async throws {
        let (leg, phone) = try await connectedPair(srtp: true)
        let phoneOut = try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: phoneKey, direction: .outbound)
        var packets: [[UInt8]] = []
        for sequence in 1...3 {
            var packet = rtp(UInt16(sequence))
            try phoneOut.protect(rtp: &packet)
            packets.append(packet)
            try await phone.sendBytes(ByteBuffer(bytes: packet))
        }
        // libsrtp checks the replay window before the tag, so the tampered packet must be a new one.
        var tampered = rtp(4)
        try phoneOut.protect(rtp: &tampered)
        tampered[tampered.count - 12] ^= 0xFF
        var forged = rtp(5)
        forged += [UInt8](repeating: 0, count: 10)
        try await phone.sendBytes(ByteBuffer(bytes: tampered))
        try await phone.sendBytes(ByteBuffer(bytes: forged))
        try await phone.sendBytes(ByteBuffer(bytes: packets[1]))
        let stats = try await statistics(of: leg) { $0.rtpReceived == 3 && $0.droppedAuthentication == 2 && $0.droppedReplay == 1 }
        XCTAssertEqual(stats.rtpReceived, 3)
        XCTAssertEqual(stats.droppedAuthentication, 2, "a flipped byte and an unauthenticated packet")
        XCTAssertEqual(stats.droppedReplay, 1)

        // Outbound: the phone decrypts with Chorus's key.
        let payload: [UInt8] = [0xF8, 1, 2, 3, 4]
        try await loop.submit {
            payload.withUnsafeBytes { leg.send(payload: $0, samples: 960, marker: true) }
        }.get()
        let received = await phone.receive()
        var bytes = try XCTUnwrap(received.map { Array($0.readableBytesView) })
        let phoneIn = try SRTPSession(suite: .aesCM128HMACSHA1_80, keyingMaterial: chorusKey, direction: .inbound)
        try phoneIn.unprotect(srtp: &bytes)
        let packet = try RTPPacket(parsing: bytes)
        XCTAssertEqual(packet.payload, payload)
        XCTAssertEqual(packet.header.payloadType, 111)
        XCTAssertTrue(packet.header.marker)
        await phone.close()
        try await leg.close().get()
    }

    func testAFloodIsCappedAndAStrangersSprayDoesNotUseUpTheParticipantsAllowance() async throws {
        let (leg, phone) = try await connectedPair(maxPacketsPerSecond: 50)
        let localPort = try await loop.submit { leg.localRTPPort }.get()
        let stranger = try await peer(toward: try XCTUnwrap(localPort))
        try await phone.sendBytes(ByteBuffer(bytes: rtp(1)))
        _ = try await statistics(of: leg) { $0.rtpReceived == 1 }
        // A stranger sprays: its packets are capped in their own bucket and never counted as the phone's.
        for sequence in 2...301 { try await stranger.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        var stats = try await statistics(of: leg) { $0.droppedRateLimited + $0.droppedUnknownSource >= 300 }
        XCTAssertGreaterThanOrEqual(stats.droppedRateLimited, 200, "the spray is capped before anything else looks at it")
        XCTAssertEqual(stats.rtpReceived, 1)
        // The phone still has its whole allowance.
        for sequence in 2...20 { try await phone.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        stats = try await statistics(of: leg) { $0.rtpReceived >= 20 }
        XCTAssertEqual(stats.rtpReceived, 20)
        // Then the phone floods at many times its rate: about one second's allowance gets through.
        let before = stats.droppedRateLimited
        let floodStarted = ContinuousClock.now
        for sequence in 21...520 { try await phone.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        stats = try await statistics(of: leg) { $0.rtpReceived + $0.droppedRateLimited - before >= 520 - 20 }
        // What refills while the flood lasts (longer on a loaded machine), with a second's slack.
        let flood = ContinuousClock.now - floodStarted
        let refill = Int(50 * (Double(flood.components.seconds) + Double(flood.components.attoseconds) / 1e18)) + 50
        XCTAssertLessThan(stats.rtpReceived, 20 + 30 + refill, "50/s with a 50-packet burst, of which 20 were used: the flood gets 30 plus what refills while it lasts (\(flood))")
        XCTAssertGreaterThan(stats.droppedRateLimited - before, 500 - 30 - refill, "flood took \(flood)")
        await stranger.close()
        await phone.close()
        try await leg.close().get()
    }

    func testTelephoneEventsBecomeOneDigit() async throws {
        let (leg, phone) = try await connectedPair()
        let digits = Digits()
        try await loop.submit { leg.delegate = digits }.get()
        // Key 5: a start packet, two updates, three end packets, all with one RTP timestamp.
        let durations: [(UInt16, Bool)] = [(960, false), (1920, false), (2880, false), (3840, true), (3840, true), (3840, true)]
        for (index, (duration, end)) in durations.enumerated() {
            let event = TelephoneEventPayload(event: 5, isEnd: end, volume: 10, duration: duration).bytes
            let packet = RTPPacket(
                header: RTPHeader(marker: index == 0, payloadType: 101, sequenceNumber: UInt16(100 + index), timestamp: 48_000, ssrc: 0x1234_5678),
                payload: event
            ).serialized()
            try await phone.sendBytes(ByteBuffer(bytes: packet))
        }
        _ = try await statistics(of: leg) { $0.digits == 1 && $0.rtpReceived == 6 }
        let received = try await loop.submit { digits.received }.get()
        XCTAssertEqual(received, ["5"])
        await phone.close()
        try await leg.close().get()
    }

    func testALegLetGoOfWithoutClosingLivesUntilItsSocketCloses() async throws {
        var (leg, phone): (MediaLeg?, RawSIPClient) = try await connectedPair()
        weak let released = leg
        leg = nil
        // Its socket is open: packets keep arriving for it, and must find a leg to arrive at.
        for sequence in 1...20 { try await phone.sendBytes(ByteBuffer(bytes: rtp(UInt16(sequence)))) }
        try await Task.sleep(for: .milliseconds(100))
        let survivor = try XCTUnwrap(released, "the open socket keeps its leg")
        let received = try await loop.submit { survivor.statistics.rtpReceived }.get()
        XCTAssertEqual(received, 20)
        try await survivor.close().get()
        await phone.close()
    }
}

/// RTCP from the media leg: reports at the RFC 3550 interval, BYE when it closes.
final class MediaLegRTCPTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    func testReceiverReportAboutThePeerAndByeOnClose() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let port = try ChorusProcess.freePort(consecutive: 2)
        let phone = try await RawSIPClient.connect(.udp, to: try SocketAddress(ipAddress: "127.0.0.1", port: port))
        let parameters = MediaLegParameters(
            payloadType: 0, clockRate: 8000, remoteRTP: try SocketAddress(ipAddress: "127.0.0.1", port: phone.localPort), rtcpMux: true)
        let leg = try await MediaLeg.open(on: loop, host: "127.0.0.1", rtpPort: port, parameters: parameters, logger: logger).get()
        for sequence in 1...20 {
            let packet = RTPPacket(
                header: RTPHeader(payloadType: 0, sequenceNumber: UInt16(sequence), timestamp: UInt32(sequence) * 160, ssrc: 0xABCD_0001),
                payload: [UInt8](repeating: 0xFF, count: 160)
            ).serialized()
            try await phone.sendBytes(ByteBuffer(bytes: packet))
        }
        // Drive the leg's per-tick housekeeping until its first report is due (the first interval
        // is at most 2.5 s × 1.5 / 1.22, about 3.1 s).
        var report: [RTCPPacket]?
        let deadline = ContinuousClock.now + .seconds(5)
        while report == nil, ContinuousClock.now < deadline {
            try await loop.submit { leg.tick() }.get()
            if let datagram = await phone.receive(timeout: .milliseconds(20)) {
                report = try? RTCPParser.parse(Array(datagram.readableBytesView))
            }
        }
        let packets = try XCTUnwrap(report, "no RTCP report within 5 s")
        guard case .receiverReport(let ssrc, let blocks) = packets.first else { return XCTFail("expected an RR first: \(packets)") }
        let legSSRC = try await loop.submit { leg.ssrc }.get()
        XCTAssertEqual(ssrc, legSSRC)
        XCTAssertEqual(blocks.first?.ssrc, 0xABCD_0001, "the block reports on the phone's stream")
        XCTAssertEqual(blocks.first?.extendedHighestSequence, 20)
        XCTAssertEqual(blocks.first?.cumulativeLost, 0)

        try await leg.close(reason: "hung up").get()
        let bye = await phone.receive(timeout: .seconds(2))
        let byePackets = try RTCPParser.parse(Array(try XCTUnwrap(bye).readableBytesView))
        XCTAssertTrue(byePackets.contains { if case .bye(let sources, let reason) = $0 { sources == [legSSRC] && reason == "hung up" } else { false } }, "\(byePackets)")
        await phone.close()
    }

}
