import XCTest
@testable import ChorusRTP

final class TelephoneEventTests: XCTestCase {
    private func payload(_ event: UInt8, end: Bool = false, duration: UInt16) -> TelephoneEventPayload {
        TelephoneEventPayload(event: event, isEnd: end, volume: 10, duration: duration)
    }

    /// A key press as senders emit it: start (marker), updates every 50 ms, 3 end packets.
    /// Each element is (timestamp, marker, payload, arrival ms).
    private func keyPress(
        _ event: UInt8, timestamp: UInt32, at start: Int64, updates: Int = 3
    ) -> [(UInt32, Bool, TelephoneEventPayload, Int64)] {
        var packets: [(UInt32, Bool, TelephoneEventPayload, Int64)] = [(timestamp, true, payload(event, duration: 400), start)]
        for index in 1...updates {
            packets.append((timestamp, false, payload(event, duration: UInt16(400 * (index + 1))), start + Int64(50 * index)))
        }
        let total = UInt16(400 * (updates + 1) + 240)
        for repeatIndex in 0..<3 {
            packets.append((timestamp, false, payload(event, end: true, duration: total), start + Int64(50 * updates + 30 + repeatIndex * 5)))
        }
        return packets
    }

    private func feed(_ receiver: inout TelephoneEventReceiver, _ packets: [(UInt32, Bool, TelephoneEventPayload, Int64)]) -> [TelephoneEvent] {
        packets.flatMap { receiver.receive(timestamp: $0.0, marker: $0.1, payload: $0.2, now: $0.3) }
    }

    func testPayloadParsing() throws {
        let parsed = try XCTUnwrap(TelephoneEventPayload(bytes: [11, 0x8A, 0x03, 0x20]))
        XCTAssertEqual(parsed, TelephoneEventPayload(event: 11, isEnd: true, volume: 10, duration: 800))
        XCTAssertEqual(parsed.bytes, [11, 0x8A, 0x03, 0x20])
        XCTAssertNil(TelephoneEventPayload(bytes: [1, 2, 3]))
        XCTAssertEqual(TelephoneEventPayload(bytes: [5, 0x40, 0, 1, 9, 9])?.event, 5)  // R bit ignored, extra ignored
        let characters = (0...16).map { TelephoneEventPayload.character(for: UInt8($0)) }
        XCTAssertEqual(characters, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "A", "B", "C", "D", nil])
    }

    func testKeyPressYieldsExactlyOneDigit() {
        var receiver = TelephoneEventReceiver(clockRate: 8000)
        let events = feed(&receiver, keyPress(5, timestamp: 16_000, at: 0))
        XCTAssertEqual(events, [.digit("5", durationMs: 230)])  // 1840 samples at 8 kHz
        XCTAssertNil(receiver.poll(now: 10_000))
        XCTAssertNil(receiver.activeEvent)
    }

    func testLostStartPacket() {
        var receiver = TelephoneEventReceiver()
        let events = feed(&receiver, Array(keyPress(10, timestamp: 500, at: 0).dropFirst()))
        XCTAssertEqual(events, [.digit("*", durationMs: 230)])
    }

    func testLostStartAndMarkerWithOnlyEndPackets() {
        var receiver = TelephoneEventReceiver()
        let events = feed(&receiver, Array(keyPress(12, timestamp: 500, at: 0).suffix(2)))
        XCTAssertEqual(events, [.digit("A", durationMs: 230)])
    }

    func testLostEndPacketsCloseOnTimeout() {
        var receiver = TelephoneEventReceiver(clockRate: 8000, timeoutMs: 300)
        let events = feed(&receiver, Array(keyPress(7, timestamp: 900, at: 1000).dropLast(3)))
        XCTAssertEqual(events, [])
        XCTAssertEqual(receiver.activeEvent, 7)
        XCTAssertNil(receiver.poll(now: 1150 + 299))  // last update at 1150
        XCTAssertEqual(receiver.poll(now: 1150 + 300), .digit("7", durationMs: 200))  // 1600 samples
        XCTAssertNil(receiver.poll(now: 5000))
        // A straggling end packet of the closed event is not a new key press.
        XCTAssertEqual(receiver.receive(timestamp: 900, marker: false, payload: payload(7, end: true, duration: 1840), now: 1500), [])
    }

    func testLostEndPacketsClosedByNextEvent() {
        var receiver = TelephoneEventReceiver()
        var packets = Array(keyPress(1, timestamp: 1000, at: 0).dropLast(3))
        packets += keyPress(2, timestamp: 4000, at: 200)
        XCTAssertEqual(feed(&receiver, packets), [.digit("1", durationMs: 200), .digit("2", durationMs: 230)])
    }

    func testSameDigitTwiceIsTwoPressesByTimestamp() {
        var receiver = TelephoneEventReceiver()
        var packets = keyPress(9, timestamp: 1000, at: 0)
        // The second press's marker is lost: only the new timestamp tells them apart.
        var second = keyPress(9, timestamp: 4000, at: 400)
        second[0].1 = false
        packets += second
        XCTAssertEqual(feed(&receiver, packets), [.digit("9", durationMs: 230), .digit("9", durationMs: 230)])
    }

    func testReorderedAndDuplicatedPackets() {
        var receiver = TelephoneEventReceiver()
        var packets = keyPress(11, timestamp: 1000, at: 0)
        packets.swapAt(1, 2)
        packets.append(packets[4])  // a duplicate end after the event ended
        packets.insert(packets[2], at: 3)
        XCTAssertEqual(feed(&receiver, packets), [.digit("#", durationMs: 230)])
        // An old update arriving after the next event started is ignored.
        let next = keyPress(3, timestamp: 5000, at: 500)
        var events = feed(&receiver, Array(next.prefix(2)))
        events += receiver.receive(timestamp: 1000, marker: false, payload: payload(11, duration: 800), now: 560)
        events += feed(&receiver, Array(next.dropFirst(2)))
        XCTAssertEqual(events, [.digit("3", durationMs: 230)])
    }

    func testResetForgetsPreviousSource() {
        var receiver = TelephoneEventReceiver()
        XCTAssertEqual(feed(&receiver, keyPress(4, timestamp: 100_000, at: 0)), [.digit("4", durationMs: 230)])
        // A new source whose timestamps happen to be lower would look like stragglers…
        XCTAssertEqual(feed(&receiver, keyPress(6, timestamp: 50_000, at: 500)), [])
        receiver.reset()
        XCTAssertEqual(feed(&receiver, keyPress(6, timestamp: 50_000, at: 1000)), [.digit("6", durationMs: 230)])
    }

    func testNonDigitEventsAndWideClock() {
        var receiver = TelephoneEventReceiver(clockRate: 48_000)
        let events = receiver.receive(timestamp: 0, marker: true, payload: payload(16, end: true, duration: 4800), now: 0)
        XCTAssertEqual(events, [.other(event: 16, durationMs: 100)])
    }

    func testGarbagePayloadsNeverCrash() {
        var receiver = TelephoneEventReceiver()
        var random = TestRandom(seed: 5)
        var digits = 0
        for index in 0..<20_000 {
            let bytes = (0..<Int(random.next() % 7)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let timestamp = UInt32(truncatingIfNeeded: random.next() % 4) &* 1000
            let events = bytes.withUnsafeBytes {
                receiver.receive(timestamp: timestamp, marker: random.next() % 2 == 0, payload: $0, now: Int64(index))
            }
            digits += events.count
            if receiver.poll(now: Int64(index)) != nil { digits += 1 }
        }
        XCTAssertGreaterThan(digits, 0)
    }
}
