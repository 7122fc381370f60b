import XCTest
@testable import ChorusRTP

final class RTCPTests: XCTestCase {
    private func be32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    private func parse(_ bytes: [UInt8], requireReportFirst: Bool = true) -> Result<[RTCPPacket], RTCPParseError> {
        do throws(RTCPParseError) {
            return .success(try RTCPParser.parse(bytes, requireReportFirst: requireReportFirst))
        } catch {
            return .failure(error)
        }
    }

    /// An SR with one report block and an SDES CNAME, written byte by byte as a phone sends it.
    private var senderReportAndSDES: [UInt8] {
        var bytes: [UInt8] = [0x81, 200, 0x00, 0x0C] + be32(0x1111_2222)  // SR, RC=1, 13 words
        bytes += be32(0xE6F0_0000) + be32(0x8000_0000)  // NTP
        bytes += be32(160_000) + be32(500) + be32(80_000)  // RTP ts, packets, octets
        bytes += be32(0x3333_4444) + [0x0A, 0xFF, 0xFF, 0xFE] + be32(0x0001_0010) + be32(42)  // block: 10/256, −2
        bytes += be32(0xB705_2000) + be32(0x0005_4000)
        // SDES: one chunk, CNAME "alice@10.0.0.1" (14 bytes) → 4 + 2 + 14 + 1 → pad to 24.
        let cname = Array("alice@10.0.0.1".utf8)
        bytes += [0x81, 202, 0x00, 0x06] + be32(0x1111_2222) + [1, UInt8(cname.count)] + cname + [0, 0, 0, 0]
        return bytes
    }

    func testParseSenderReportWithSDES() throws {
        let packets = try RTCPParser.parse(senderReportAndSDES)
        XCTAssertEqual(packets.count, 2)
        guard case .senderReport(let ssrc, let info, let blocks) = packets[0] else { return XCTFail("\(packets[0])") }
        XCTAssertEqual(ssrc, 0x1111_2222)
        XCTAssertEqual(info.ntpTimestamp, NTPTimestamp(seconds: 0xE6F0_0000, fraction: 0x8000_0000))
        XCTAssertEqual(info.rtpTimestamp, 160_000)
        XCTAssertEqual(info.packetCount, 500)
        XCTAssertEqual(info.octetCount, 80_000)
        XCTAssertEqual(
            blocks,
            [RTCPReportBlock(
                ssrc: 0x3333_4444, fractionLost: 10, cumulativeLost: -2, extendedHighestSequence: 0x0001_0010,
                jitter: 42, lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)])
        guard case .sourceDescription(let chunks) = packets[1] else { return XCTFail("\(packets[1])") }
        XCTAssertEqual(chunks.first?.ssrc, 0x1111_2222)
        XCTAssertEqual(chunks.first?.cname, "alice@10.0.0.1")
    }

    func testParseReceiverReportSDESAndBye() throws {
        var bytes: [UInt8] = [0x80, 201, 0x00, 0x01] + be32(0x5555_6666)  // RR without blocks
        // SDES with CNAME "bob" and NAME "Bob": chunk 4 + 5 + 5 + 1 = 15 → 16.
        bytes += [0x81, 202, 0x00, 0x04] + be32(0x5555_6666) + [1, 3] + Array("bob".utf8) + [2, 3] + Array("Bob".utf8) + [0, 0]
        // An APP packet (skipped), then BYE with reason "gone" (1 + 4 → 8).
        bytes += [0x80, 204, 0x00, 0x02] + be32(0x5555_6666) + Array("ABCD".utf8)
        bytes += [0x81, 203, 0x00, 0x03] + be32(0x5555_6666) + [4] + Array("gone".utf8) + [0, 0, 0]
        let packets = try RTCPParser.parse(bytes)
        XCTAssertEqual(packets.count, 4)
        XCTAssertEqual(packets[0], .receiverReport(ssrc: 0x5555_6666, blocks: []))
        guard case .sourceDescription(let chunks) = packets[1] else { return XCTFail() }
        XCTAssertEqual(chunks[0].cname, "bob")
        XCTAssertEqual(chunks[0].items.map(\.type), [1, 2])
        XCTAssertEqual(packets[2], .other(packetType: 204, count: 0))
        XCTAssertEqual(packets[3], .bye(ssrcs: [0x5555_6666], reason: "gone"))
    }

    func testValidationErrors() {
        let valid = senderReportAndSDES
        XCTAssertEqual(parse([0x80, 200]), .failure(.invalidLength(2)))
        XCTAssertEqual(parse(Array(valid.prefix(10))), .failure(.invalidLength(10)))
        var version = valid
        version[0] = 0x41
        XCTAssertEqual(parse(version), .failure(.unsupportedVersion(1)))
        // SDES first violates A.2 unless reduced-size RTCP is allowed.
        let sdesOnly = Array(valid[52...])
        XCTAssertEqual(parse(sdesOnly), .failure(.firstPacketNotReport(packetType: 202)))
        XCTAssertEqual(try? parse(sdesOnly, requireReportFirst: false).get().count, 1)
        // Padding bit on the first of two packets.
        var padded = valid
        padded[0] |= 0x20
        XCTAssertEqual(parse(padded), .failure(.invalidPadding))
        // Length field past the end.
        var long = valid
        long[55] = 0x07
        XCTAssertEqual(parse(long), .failure(.truncated(offset: 52)))
        // Length shorter than the report count needs.
        var short: [UInt8] = [0x81, 201, 0x00, 0x01] + be32(1)
        XCTAssertEqual(parse(short), .failure(.malformed(packetType: 201)))
        // SDES item running past its packet.
        short = [0x80, 201, 0x00, 0x01] + be32(1) + [0x81, 202, 0x00, 0x02] + be32(1) + [1, 9, 0x61, 0x62]
        XCTAssertEqual(parse(short), .failure(.malformed(packetType: 202)))
    }

    func testValidPaddingOnLastPacket() throws {
        // RR + BYE padded with 4 bytes (P set on the last packet, count in the last byte).
        let bytes: [UInt8] = [0x80, 201, 0x00, 0x01] + be32(7) + [0xA1, 203, 0x00, 0x02] + be32(7) + [0, 0, 0, 4]
        XCTAssertEqual(try RTCPParser.parse(bytes), [.receiverReport(ssrc: 7, blocks: []), .bye(ssrcs: [7], reason: nil)])
    }

    func testBuildParseRoundTrip() throws {
        let block = RTCPReportBlock(
            ssrc: 0xCAFE, fractionLost: 3, cumulativeLost: 8_388_607, extendedHighestSequence: 70_000,
            jitter: 120, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65_536)
        let info = RTCPSenderInfo(ntpTimestamp: NTPTimestamp(rawValue: 0x0123_4567_89AB_CDEF), rtpTimestamp: 9, packetCount: 10, octetCount: 11)
        let sr = try RTCPCompound.report(ssrc: 0xF00D, senderInfo: info, blocks: [block, block], cname: "chorus@conf")
        XCTAssertEqual(sr.count, 28 + 48 + 4 + 20)
        XCTAssertEqual(
            try RTCPParser.parse(sr),
            [.senderReport(ssrc: 0xF00D, info: info, blocks: [block, block]),
             .sourceDescription([RTCPSDESChunk(ssrc: 0xF00D, items: [RTCPSDESItem(type: 1, value: Array("chorus@conf".utf8))])])])
        let rr = try RTCPCompound.report(ssrc: 1, senderInfo: nil, blocks: [block], cname: "x")
        XCTAssertEqual(try RTCPParser.parse(rr).first, .receiverReport(ssrc: 1, blocks: [block]))
        let bye = try RTCPCompound.bye(ssrc: 1, cname: "x", reason: "conference ended")
        XCTAssertEqual(try RTCPParser.parse(bye).last, .bye(ssrcs: [1], reason: "conference ended"))
        let quietBye = try RTCPCompound.bye(ssrc: 1, cname: "x", reason: nil)
        XCTAssertEqual(try RTCPParser.parse(quietBye).last, .bye(ssrcs: [1], reason: nil))
        // Cumulative loss is clamped to 24 bits.
        XCTAssertEqual(RTCPReportBlock(ssrc: 0, cumulativeLost: Int32.max).cumulativeLost, 8_388_607)
        XCTAssertEqual(RTCPReportBlock.clampCumulativeLost(-9_000_000), -8_388_608)
    }

    func testWriterBufferAndCountErrors() throws {
        var buffer = [UInt8](repeating: 0, count: 20)
        try buffer.withUnsafeMutableBytes { out in
            XCTAssertThrowsError(try RTCPWriter.writeReceiverReport(ssrc: 1, blocks: [RTCPReportBlock(ssrc: 2)], into: out)) {
                XCTAssertEqual($0 as? RTPBuildError, .bufferTooSmall(needed: 32, available: 20))
            }
            let blocks = [RTCPReportBlock](repeating: RTCPReportBlock(ssrc: 2), count: 32)
            XCTAssertThrowsError(try RTCPWriter.writeReceiverReport(ssrc: 1, blocks: blocks, into: out))
        }
    }

    func testRoundTripTimeFromLSRAndDLSR() {
        // RFC 3550 Figure 2: A = 46864.500, LSR = 46853.125, DLSR = 5.250 → RTT 6.125 s.
        let block = RTCPReportBlock(ssrc: 1, lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        let arrival = NTPTimestamp(seconds: 0xB710, fraction: 0x8000_0000)
        XCTAssertEqual(block.roundTripTime(arrival: arrival), 0x0006_2000)
        XCTAssertEqual(block.roundTripMilliseconds(arrival: arrival), 6125)
        XCTAssertNil(RTCPReportBlock(ssrc: 1).roundTripTime(arrival: arrival))  // no LSR yet
        let skewed = RTCPReportBlock(ssrc: 1, lastSenderReport: 0xB710_8000, delaySinceLastSenderReport: 0x0001_0000)
        XCTAssertNil(skewed.roundTripTime(arrival: arrival))  // negative
    }

    func testNTPFromUnixTime() {
        let ntp = NTPTimestamp(unixNanoseconds: 1_500_000_000)  // 1.5 s after 1970
        XCTAssertEqual(ntp.seconds, 2_208_988_801)
        XCTAssertEqual(ntp.fraction, 0x8000_0000)
        XCTAssertEqual(ntp.middle32, UInt32(truncatingIfNeeded: 2_208_988_801) << 16 | 0x8000)
    }

    func testRandomBytesNeverCrash() {
        var random = TestRandom(seed: 99)
        for round in 0..<10_000 {
            var bytes = (0..<(Int(random.next() % 20) * 4)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if bytes.count >= 4, round % 2 == 0 {
                bytes[0] = 0x80 | (bytes[0] & 0x1F)
                bytes[1] = 200 + UInt8(random.next() % 5)
                bytes[2] = 0
                bytes[3] = UInt8(random.next() % UInt64(bytes.count / 4))
            }
            _ = try? RTCPParser.parse(bytes, requireReportFirst: false)
        }
    }
}

final class RTCPSchedulerTests: XCTestCase {
    func testDeterministicInterval() {
        // 64 kbit/s → 400 octets/s of RTCP; 2 members, 100-octet packets → 0.5 s, floored.
        XCTAssertEqual(
            RTCPScheduler.deterministicInterval(members: 2, senders: 1, rtcpBandwidth: 400, weSent: true, averagePacketSize: 100, initial: true), 2.5)
        XCTAssertEqual(
            RTCPScheduler.deterministicInterval(members: 2, senders: 1, rtcpBandwidth: 400, weSent: true, averagePacketSize: 100, initial: false), 5)
        // 1000 members, 10 senders: receivers share 75% (300 octets/s) among 990 → 330 s.
        XCTAssertEqual(
            RTCPScheduler.deterministicInterval(members: 1000, senders: 10, rtcpBandwidth: 400, weSent: false, averagePacketSize: 100, initial: false), 330,
            accuracy: 1e-9)
        // A sender among them: 25% (100 octets/s) shared by 10 senders → 10 s.
        XCTAssertEqual(
            RTCPScheduler.deterministicInterval(members: 1000, senders: 10, rtcpBandwidth: 400, weSent: true, averagePacketSize: 100, initial: false), 10,
            accuracy: 1e-9)
    }

    func testRandomisedIntervalBoundsAndSpread() {
        var random = TestRandom(seed: 3)
        var scheduler = RTCPScheduler(sessionBandwidth: 64_000, now: 0) { random.unit() }
        XCTAssertEqual(scheduler.rtcpBandwidth, 400)
        // The first interval uses half the minimum: 2.5 × [0.5, 1.5] / (e − 1.5).
        XCTAssertGreaterThanOrEqual(scheduler.nextSendTime, 2.5 * 0.5 / RTCPScheduler.compensation)
        XCTAssertLessThanOrEqual(scheduler.nextSendTime, 2.5 * 1.5 / RTCPScheduler.compensation)
        scheduler.didSend(packetSize: 100, now: 3)
        var lower = Double.infinity
        var upper = 0.0
        for _ in 0..<2000 {
            let interval = scheduler.interval()
            lower = min(lower, interval)
            upper = max(upper, interval)
        }
        XCTAssertGreaterThanOrEqual(lower, 5 * 0.5 / RTCPScheduler.compensation)  // 2.052
        XCTAssertLessThanOrEqual(upper, 5 * 1.5 / RTCPScheduler.compensation)  // 6.156
        XCTAssertLessThan(lower, 2.1)
        XCTAssertGreaterThan(upper, 6.1)
    }

    func testTimerReconsiderationDrivenByTime() {
        var random = TestRandom(seed: 11)
        var scheduler = RTCPScheduler(sessionBandwidth: 64_000, now: 0) { random.unit() }
        var sends: [Double] = []
        var now = 0.0
        while now < 600 {
            if scheduler.shouldSend(now: now) {
                sends.append(now)
                scheduler.didSend(packetSize: 100, now: now)
            }
            now += 0.01
        }
        XCTAssertLessThanOrEqual(sends[0], 3.08 + 0.01)
        let gaps = zip(sends.dropFirst(), sends).map { $0 - $1 }
        XCTAssertGreaterThanOrEqual(gaps.min()!, 2.05)
        XCTAssertLessThanOrEqual(gaps.max()!, 6.16 + 0.02)
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        XCTAssertGreaterThan(mean, 4.1)  // reconsideration makes the mean longer than 5 / 1.218
        XCTAssertLessThan(mean, 5.5)
    }

    func testReverseReconsiderationPullsTimerIn() {
        var scheduler = RTCPScheduler(sessionBandwidth: 64_000, now: 0) { 0.5 }
        scheduler.members = 10
        scheduler.didSend(packetSize: 100, now: 0)
        let before = scheduler.nextSendTime  // 10 × 100 / 400 = 2.5 → 5 (minimum) / 1.218
        XCTAssertEqual(before, 5 / RTCPScheduler.compensation, accuracy: 1e-9)
        scheduler.membersDecreased(to: 5, now: 2)
        XCTAssertEqual(scheduler.nextSendTime, 2 + 0.5 * (before - 2), accuracy: 1e-9)
        XCTAssertEqual(scheduler.lastSendTime, 2 - 0.5 * 2, accuracy: 1e-9)
    }
}
