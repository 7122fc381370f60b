import XCTest
@testable import ChorusRTP

/// A synthetic packet: sequence, timestamp, arrival time, marker, SSRC, optional duration.
private struct SimPacket {
    var sequence: UInt16
    var timestamp: UInt32
    var arrival: Int64
    var marker = false
    var ssrc: UInt32 = 0xABCD
    var samples: Int?
    /// The payload names the packet: its index in the stream.
    var id: Int
}

/// One tick's result with the time it was played.
private struct Played {
    var time: Int64
    var output: JitterBufferOutput

    /// The index of the packet played, if a frame.
    var frameID: Int? {
        if case .frame(let payload, _, _) = output { return Int(payload[0]) << 8 | Int(payload[1]) }
        return nil
    }
}

extension SimPacket {
    func with(arrival: Int64) -> SimPacket {
        var copy = self
        copy.arrival = arrival
        return copy
    }
}

private func payload(_ id: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id), 0xEE] }

/// Runs the buffer: before each 20 ms tick inserts every packet that has arrived, then pulls.
private func simulate(
    _ buffer: inout JitterBuffer, _ packets: [SimPacket], ticks: Int, tickMs: Int64 = 20, startMs: Int64 = 0,
    onTick: ((Int64, JitterBuffer) -> Void)? = nil
) -> [Played] {
    let ordered = packets.enumerated().sorted { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }.map(\.element)
    var next = 0
    var played: [Played] = []
    for tick in 0..<ticks {
        let now = startMs + Int64(tick) * tickMs
        while next < ordered.count, ordered[next].arrival <= now {
            let packet = ordered[next]
            buffer.insert(
                sequenceNumber: packet.sequence, timestamp: packet.timestamp, ssrc: packet.ssrc, marker: packet.marker,
                payload: payload(packet.id), arrivalMs: packet.arrival, samples: packet.samples)
            next += 1
        }
        played.append(Played(time: now, output: buffer.pull(now: now)))
        onTick?(now, buffer)
    }
    return played
}

/// A stream of 20 ms Opus packets sent every `intervalMs` (20 unless drifting), arriving
/// `delay(i)` ms after being sent.
private func stream(
    count: Int, firstSequence: UInt16 = 1000, firstTimestamp: UInt32 = 90_000, startId: Int = 0, sentAt start: Double = 0,
    intervalMs: Double = 20, delay: (Int) -> Int64 = { _ in 5 }
) -> [SimPacket] {
    (0..<count).map { index in
        SimPacket(
            sequence: firstSequence &+ UInt16(truncatingIfNeeded: index),
            timestamp: firstTimestamp &+ UInt32(index * 960),
            arrival: Int64((start + Double(index) * intervalMs).rounded(.down)) + delay(index),
            marker: index == 0, id: startId + index)
    }
}

final class JitterBufferTests: XCTestCase {
    func testInOrderStreamPlaysWithConstantDelay() {
        var buffer = JitterBuffer()
        XCTAssertEqual(buffer.targetDelayMs, 20)
        let packets = stream(count: 100)
        let played = simulate(&buffer, packets, ticks: 110)
        XCTAssertEqual(played[0].output, .silence)
        XCTAssertEqual(played[1].output, .silence)  // arrived at 5, 15 ms < target 20
        let frames = played.filter { $0.frameID != nil }
        XCTAssertEqual(frames.map { $0.frameID! }, Array(0..<100))
        for frame in frames { XCTAssertEqual(frame.time - packets[frame.frameID!].arrival, 35) }
        XCTAssertEqual(played[2].output, .frame(payload: payload(0), timestamp: 90_000, samples: 960))
        XCTAssertTrue(played[102...].allSatisfy { $0.output == .silence })
        XCTAssertEqual(buffer.statistics, JitterBufferStatistics(received: 100))
        XCTAssertEqual(buffer.targetDelayMs, 20)
    }

    func testPlayedSpareIsHowLongBeforeThePullTheFrameWasDue() {
        // Arrivals at 5, 25, 45 ... ms; with the 20 ms target each frame is due 25 ms after it
        // was sent, so ticks at 0, 20, 40 ... play it 15 ms after it was due, ticks at 8, 28, 48 ...
        // 3 ms after, and ticks at 10, 30, 50 ... 5 ms after.
        for (tickStart, spare) in [(Int64(0), 15), (8, 3), (10, 5)] {
            var buffer = JitterBuffer()
            var spares: [Int] = []
            let played = simulate(&buffer, stream(count: 50), ticks: 60, startMs: tickStart) { _, buffer in spares.append(buffer.playedSpareMs) }
            let frameSpares = zip(played, spares).filter { $0.0.frameID != nil }.map(\.1)
            XCTAssertEqual(frameSpares.count, 50)
            XCTAssertEqual(Set(frameSpares), [spare], "ticks from \(tickStart) ms")
        }
    }

    func testAStalledSenderIsPlayedAgainWithMoreDelayNotSilencedForGood() {
        // A sender that stalls and then goes on at its own pace (its timestamps continue where
        // they stopped): every packet from then on comes later than before. Dropped as late, they
        // silenced the participant until the call ended; a room under load went quiet this way.
        for stallMs in [100, 300, 700] {
            var buffer = JitterBuffer()
            var sequence: UInt16 = 100
            var timestamp: UInt32 = 5000
            var sendAt = 0
            var framesAfterStall = 0
            var ticksAfterStall = 0
            for tick in 0..<400 {
                let now = tick * 20
                while sendAt <= now {
                    buffer.insert(sequenceNumber: sequence, timestamp: timestamp, ssrc: 1, marker: false, payload: [1], arrivalMs: Int64(sendAt))
                    sequence &+= 1
                    timestamp &+= 960
                    sendAt += sequence == 200 ? 20 + stallMs : 20
                }
                let output = buffer.pull(now: Int64(now + 7))
                // The last 4 s, well after the stall (packet 200 is sent at 2 s).
                if tick >= 200 {
                    ticksAfterStall += 1
                    if case .frame = output { framesAfterStall += 1 }
                }
            }
            XCTAssertEqual(buffer.statistics.delaySteps, 1, "stall of \(stallMs) ms")
            XCTAssertGreaterThan(framesAfterStall, ticksAfterStall * 3 / 4, "stall of \(stallMs) ms: played again")
        }
    }

    func testReorderedPacketsPlayInOrder() {
        var buffer = JitterBuffer()
        // Pairs swap: the even packet arrives 12 ms late, after the odd one.
        let packets = stream(count: 60) { $0 % 2 == 0 && $0 > 0 ? 17 : 5 }
        let played = simulate(&buffer, packets, ticks: 80)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<60))
        XCTAssertEqual(buffer.statistics.lost, 0)
        XCTAssertEqual(buffer.statistics.late, 0)
        XCTAssertEqual(buffer.targetDelayMs, 32)  // 20 + the 12 ms spread
    }

    func testAudioLevelAndArrivalTimeFollowTheirPacketThroughReordering() {
        var buffer = JitterBuffer()
        // Packet n arrives at 20n + 5 ms, except that the even ones come 12 ms late, after the odd ones,
        // and carries the level n (−n dBov), the even ones with the voice flag.
        let packets = stream(count: 40) { $0 % 2 == 0 && $0 > 0 ? 17 : 5 }
        let ordered = packets.enumerated().sorted { ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset) }.map(\.element)
        var next = 0
        var seen: [(id: Int, level: RTPAudioLevel?, arrival: Int64)] = []
        for tick in 0..<50 {
            let now = Int64(tick) * 20
            while next < ordered.count, ordered[next].arrival <= now {
                let packet = ordered[next]
                // Packet 30 carries no level at all.
                let level = packet.id == 30 ? nil : RTPAudioLevel(voiceActivity: packet.id % 2 == 0, level: UInt8(packet.id))
                buffer.insert(
                    sequenceNumber: packet.sequence, timestamp: packet.timestamp, ssrc: packet.ssrc, marker: packet.marker,
                    payload: payload(packet.id), arrivalMs: packet.arrival, audioLevel: level)
                next += 1
            }
            if case .frame(let bytes, _, _) = buffer.pull(now: now) {
                seen.append((Int(bytes[0]) << 8 | Int(bytes[1]), buffer.playedAudioLevel, buffer.playedArrivalMs))
            }
        }
        XCTAssertEqual(seen.map(\.id), Array(0..<40))
        for frame in seen {
            let expected = frame.id == 30 ? nil : RTPAudioLevel(voiceActivity: frame.id % 2 == 0, level: UInt8(frame.id))
            XCTAssertEqual(frame.level, expected, "packet \(frame.id)")
            XCTAssertEqual(frame.arrival, packets[frame.id].arrival, "packet \(frame.id)")
        }
    }

    func testDuplicatesDroppedAndCounted() {
        var buffer = JitterBuffer()
        let packets = stream(count: 50)
        var doubled = packets + packets.map { var copy = $0; copy.arrival += 3; return copy }
        doubled.append(packets[10].with(arrival: 600))  // a copy long after packet 10 was played
        let played = simulate(&buffer, doubled, ticks: 60)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<50))
        XCTAssertEqual(buffer.statistics.duplicates, 50)
        XCTAssertEqual(buffer.statistics.late, 1)
        XCTAssertEqual(buffer.statistics.received, 50)
    }

    func testLossReportedWithNextPayloadForFEC() {
        var buffer = JitterBuffer()
        let packets = stream(count: 100).filter { $0.id != 50 && !(70...72).contains($0.id) }
        let played = simulate(&buffer, packets, ticks: 110)
        // Packet 50's slot (tick 52) is concealed with packet 51 available for FEC.
        XCTAssertEqual(played[51].frameID, 49)
        XCTAssertEqual(played[52].output, .lost(next: payload(51)))
        XCTAssertEqual(played[53].frameID, 51)
        // Three lost in a row, longer than the 20 ms buffered: while nothing is buffered the
        // buffer cannot tell loss from DTX and answers silence; once packet 73 shows the gap,
        // its FEC covers the last tick.
        XCTAssertEqual(played[72].output, .silence)
        XCTAssertEqual(played[73].output, .silence)
        XCTAssertEqual(played[74].output, .lost(next: payload(73)))
        XCTAssertEqual(played[75].frameID, 73)
        XCTAssertEqual(buffer.statistics.lost, 4)
        XCTAssertEqual(buffer.statistics.concealed, 2)
    }

    func testDTXGapIsSilenceNotLoss() {
        var buffer = JitterBuffer()
        // 1 s of speech, 1.5 s of DTX (no packets), then speech again with the marker bit.
        var packets = stream(count: 50)
        packets += stream(count: 50, firstSequence: 1050, firstTimestamp: 90_000 + 125 * 960, startId: 100, sentAt: 2500)
        // A second gap where the marker packet is lost: contiguous sequence numbers still say DTX.
        var third = stream(count: 20, firstSequence: 1100, firstTimestamp: 90_000 + 250 * 960, startId: 200, sentAt: 5000)
        third[0].marker = false
        packets += third
        let played = simulate(&buffer, packets, ticks: 280)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<50) + Array(100..<150) + Array(200..<220))
        XCTAssertEqual(buffer.statistics.lost, 0)
        XCTAssertEqual(buffer.statistics.concealed, 0)
        XCTAssertTrue(played[52..<127].allSatisfy { $0.output == .silence })
        // Each talkspurt starts at the target delay again.
        XCTAssertEqual(played.first { $0.frameID == 100 }?.time, 2540)
        XCTAssertEqual(played.first { $0.frameID == 200 }?.time, 5040)
    }

    func testSequenceWrap() {
        var buffer = JitterBuffer()
        let packets = stream(count: 100, firstSequence: 65_500, firstTimestamp: 0xFFFF_0000)
            .filter { $0.id != 36 }  // sequence 0 is lost
        let played = simulate(&buffer, packets, ticks: 105)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<36) + Array(37..<100))
        XCTAssertEqual(played[38].output, .lost(next: payload(37)))
        XCTAssertEqual(buffer.statistics.lost, 1)
        XCTAssertEqual(buffer.statistics.late, 0)
    }

    func testTimestampJumpResyncs() {
        var buffer = JitterBuffer()
        var packets = stream(count: 50)
        // The sender's timestamps jump 10 s ahead without a pause (e.g. a new source behind an SBC).
        packets += stream(count: 50, firstSequence: 1050, firstTimestamp: 90_000 + 50 * 960 + 480_000, startId: 50, sentAt: 1000)
        // …and later jump back by 20 s.
        packets += stream(count: 50, firstSequence: 1100, firstTimestamp: UInt32(90_000 + 100 * 960) &- 960_000, startId: 100, sentAt: 2000)
        let played = simulate(&buffer, packets, ticks: 160)
        XCTAssertEqual(buffer.statistics.resyncs, 2)
        // Packets 49 and 99 were still buffered at the jumps and are flushed; playout resumes
        // after the target delay instead of waiting 10 s or discarding 20 s of "late" packets.
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<49) + Array(50..<99) + Array(100..<150))
        XCTAssertEqual(played.first { $0.frameID == 50 }?.time, 1040)
        XCTAssertEqual(played.first { $0.frameID == 100 }?.time, 2040)
        XCTAssertEqual(buffer.statistics.lost, 0)
    }

    func testSSRCChangeResets() {
        var buffer = JitterBuffer()
        var packets = stream(count: 50)
        var second = stream(count: 50, firstSequence: 7, firstTimestamp: 5, startId: 50, sentAt: 1000)
        for index in second.indices { second[index].ssrc = 0x9999 }
        packets += second
        let played = simulate(&buffer, packets, ticks: 110)
        XCTAssertEqual(buffer.statistics.ssrcChanges, 1)
        XCTAssertEqual(buffer.ssrc, 0x9999)
        XCTAssertEqual(Array(played.compactMap(\.frameID).suffix(50)), Array(50..<100))
        XCTAssertEqual(played.first { $0.frameID == 50 }?.time, 1040)
        XCTAssertEqual(buffer.statistics.lost, 0)
    }

    func testJitterSpikesGrowTargetAndCalmShrinksIt() {
        var buffer = JitterBuffer()
        // 40 s: calm, then from 10 s to 12 s every 10th packet is 60 ms late, then calm.
        let packets = stream(count: 2000) { index in
            (500..<600).contains(index) && index % 10 == 0 ? 65 : 5
        }
        var targets: [Int64: Int] = [:]
        let played = simulate(&buffer, packets, ticks: 2010) { now, buffer in
            if now % 1000 == 0 { targets[now] = buffer.targetDelayMs }
        }
        XCTAssertEqual(targets[9000], 20)
        XCTAssertEqual(targets[11_000], 80)  // 20 + 60 ms peak
        XCTAssertEqual(targets[20_000], 80)  // still remembered
        XCTAssertEqual(targets[23_000], 20)  // forgotten 10 blocks after the last spike
        XCTAssertEqual(targets[39_000], 20)
        let stats = buffer.statistics
        XCTAssertGreaterThan(stats.framesStretched, 0)
        XCTAssertGreaterThan(stats.framesDropped, 0)
        XCTAssertEqual(stats.late, 2)  // one outlier per block is ignored: the second spike raises the target
        // Playout was 15 ms behind the ideal (tick phase); +60 ms → 45 ms ahead → two
        // stretches bring it within half a tick. Shrinking back mirrors it.
        XCTAssertEqual(stats.framesStretched, 2)
        XCTAssertEqual(stats.framesDropped, 2)
        // Played frames stay in order and nothing else is lost.
        let ids = played.compactMap(\.frameID)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(ids.count, 2000 - 2 - 2)
    }

    func testAFlushedNetworkQueueStopsAddingDelayWithinSeconds() {
        // 60 s of 20 ms packets 5 ms in transit, except that 300 ms of them (packets 500–514,
        // at 10 s) are held in a network queue and arrive together with packet 515. Playout
        // steps back to them (nothing is lost), which leaves 300 ms of audio buffered: it must
        // be played out within seconds (measured: 4 s), not at one frame a second (14 s).
        var buffer = JitterBuffer()
        let packets = stream(count: 3000) { index in (500..<515).contains(index) ? Int64(515 - index) * 20 + 5 : 5 }
        let played = simulate(&buffer, packets, ticks: 3010)
        func delay(ofFrameAt second: Int) -> Int64? {
            guard let frame = played.first(where: { $0.time >= Int64(second) * 1000 && $0.frameID != nil }), let id = frame.frameID else { return nil }
            return frame.time - packets[id].arrival
        }
        guard let before = delay(ofFrameAt: 9), let after = delay(ofFrameAt: 11) else { return XCTFail("no frames played") }
        XCTAssertLessThanOrEqual(before, 40)
        XCTAssertGreaterThanOrEqual(after, before + 200, "the queue's audio is played, not dropped")
        for second in 15..<60 {
            guard let now = delay(ofFrameAt: second) else { return XCTFail("nothing played at \(second) s") }
            XCTAssertLessThanOrEqual(now, before + 30, "at \(second) s")
        }
        XCTAssertEqual(buffer.statistics.late, 0)
        XCTAssertEqual(buffer.statistics.lost, 0)
        XCTAssertLessThanOrEqual(buffer.statistics.framesDropped, 15)
    }

    private func driftRun(intervalMs: Double) -> (JitterBuffer, [Played], maxBuffered: Int) {
        var buffer = JitterBuffer()
        let count = Int(60_000 / intervalMs)
        let packets = stream(count: count, intervalMs: intervalMs) { index in Int64(index * 7 % 5) + 5 }
        var maxBuffered = 0
        let played = simulate(&buffer, packets, ticks: 3000) { now, buffer in
            if now > 1000 { maxBuffered = max(maxBuffered, buffer.bufferedMs) }
        }
        return (buffer, played, maxBuffered)
    }

    func testFastSenderStaysBounded() {
        // Sender clock 0.5% fast: 1 frame too many every 4 s.
        let (buffer, played, maxBuffered) = driftRun(intervalMs: 20 / 1.005)
        let stats = buffer.statistics
        XCTAssertGreaterThanOrEqual(stats.framesDropped, 10)
        XCTAssertLessThanOrEqual(stats.framesDropped, 16)
        XCTAssertLessThanOrEqual(maxBuffered, 80)
        XCTAssertEqual(stats.lost, 0)
        XCTAssertEqual(stats.late, 0)
        XCTAssertEqual(stats.overflows, 0)
        XCTAssertTrue(played[100...].allSatisfy { $0.frameID != nil || $0.output == .lost(next: nil) })
    }

    func testSlowSenderDoesNotUnderrunForever() {
        // Sender clock 0.5% slow: 1 frame missing every 4 s.
        let (buffer, played, _) = driftRun(intervalMs: 20 * 1.005)
        let stats = buffer.statistics
        XCTAssertGreaterThanOrEqual(stats.framesStretched, 10)
        XCTAssertLessThanOrEqual(stats.framesStretched, 18)
        XCTAssertEqual(stats.late, 0)
        XCTAssertEqual(stats.lost, 0)
        // After warm-up every tick is a frame or a (rare) stretch: no silence, no underrun.
        let tail = played[100...]
        XCTAssertFalse(tail.contains { $0.output == .silence })
        XCTAssertEqual(tail.filter { $0.output == .lost(next: nil) }.count, Int(stats.framesStretched))
    }

    func testSixtyMillisecondPacketsCoverThreeTicks() {
        var buffer = JitterBuffer()
        let packets = (0..<20).map { index in
            SimPacket(
                sequence: UInt16(index), timestamp: UInt32(index * 2880), arrival: Int64(index * 60) + 5,
                marker: index == 0, samples: 2880, id: index)
        }
        let played = simulate(&buffer, packets, ticks: 64)
        XCTAssertEqual(played[2].output, .frame(payload: payload(0), timestamp: 0, samples: 2880))
        XCTAssertEqual(played[3].output, .covered)
        XCTAssertEqual(played[4].output, .covered)
        XCTAssertEqual(played[5].frameID, 1)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<20))
        XCTAssertEqual(played.filter { $0.output == .covered }.count, 40)
        XCTAssertEqual(buffer.statistics.lost, 0)
        XCTAssertEqual(buffer.statistics.concealed, 0)
    }

    func testFortyMillisecondPacketsWithInferredDuration() {
        var buffer = JitterBuffer()
        // Durations are not given: the buffer learns 40 ms from the timestamp steps.
        let packets = (0..<30).map { index in
            SimPacket(
                sequence: UInt16(index), timestamp: UInt32(index * 1920), arrival: Int64(index * 40) + 5,
                marker: index == 0, id: index)
        }.filter { $0.id != 15 }
        let played = simulate(&buffer, packets, ticks: 64)
        XCTAssertEqual(played.compactMap(\.frameID), Array(0..<15) + Array(16..<30))
        let fromPacket2 = played.drop { $0.frameID != 2 }
        XCTAssertEqual(Array(fromPacket2.prefix(4).map(\.output)), [
            .frame(payload: payload(2), timestamp: 3840, samples: 1920), .covered,
            .frame(payload: payload(3), timestamp: 5760, samples: 1920), .covered,
        ])
        // The lost 40 ms packet is two concealed ticks, the second with FEC from packet 16.
        let gap = played.drop { $0.frameID != 14 }.dropFirst(2).prefix(2).map(\.output)
        // (the first tick of the gap: packet 16 has not arrived yet, so nothing shows a loss).
        XCTAssertEqual(gap, [.silence, .lost(next: payload(16))])
        XCTAssertEqual(buffer.statistics.lost, 1)
        XCTAssertEqual(buffer.statistics.concealed, 1)
    }

    func testOverflowIsBounded() {
        // Nobody pulls: the buffer keeps at most maxDelay of audio, dropping the oldest.
        var buffer = JitterBuffer(configuration: JitterBufferConfiguration(maxDelayMs: 200))
        for index in 0..<300 {
            buffer.insert(
                sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), ssrc: 1, marker: index == 0,
                payload: payload(index), arrivalMs: Int64(index * 20))
        }
        XCTAssertEqual(buffer.packetCount, 10)
        XCTAssertEqual(buffer.bufferedMs, 200)
        XCTAssertEqual(buffer.statistics.overflows, 290)
        // Playout resumes from the newest packets.
        let output = buffer.pull(now: 300 * 20)
        XCTAssertEqual(output, .frame(payload: payload(290), timestamp: 290 * 960, samples: 960))

        // And by packet count.
        var small = JitterBuffer(configuration: JitterBufferConfiguration(maxDelayMs: 10_000, maxPackets: 8))
        for index in 0..<100 {
            small.insert(
                sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), ssrc: 1, marker: false,
                payload: payload(index), arrivalMs: 0)
        }
        XCTAssertEqual(small.packetCount, 8)
        XCTAssertEqual(small.statistics.overflows, 92)
    }

    func testLatePacketsAndGarbageInputNeverCrash() {
        var buffer = JitterBuffer()
        var random = TestRandom(seed: 17)
        var now: Int64 = 0
        for _ in 0..<20_000 {
            now += Int64(random.next() % 15)
            let sequence = UInt16(truncatingIfNeeded: random.next() % 50 + UInt64(now / 20))
            buffer.insert(
                sequenceNumber: sequence, timestamp: UInt32(truncatingIfNeeded: random.next() % 3 == 0 ? random.next() : UInt64(sequence) * 960),
                ssrc: random.next() % 500 == 0 ? 2 : 1, marker: random.next() % 10 == 0,
                payload: [UInt8](repeating: 1, count: Int(random.next() % 5)), arrivalMs: now, samples: random.next() % 4 == 0 ? 2880 : nil)
            if random.next() % 2 == 0 { _ = buffer.pull(now: now) }
            XCTAssertLessThanOrEqual(buffer.packetCount, 64)
            XCTAssertLessThanOrEqual(buffer.targetDelayMs, 400)
        }
    }
}
