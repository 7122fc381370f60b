import XCTest
@testable import ChorusRTP

final class RTPReceiveStatisticsTests: XCTestCase {
    func testProbationThenAccepted() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        XCTAssertEqual(stats.update(sequenceNumber: 500, timestamp: 0, arrival: 0), .probation)
        XCTAssertFalse(stats.isValid)
        // Out of order during probation restarts probation.
        XCTAssertEqual(stats.update(sequenceNumber: 900, timestamp: 0, arrival: 0), .probation)
        XCTAssertEqual(stats.update(sequenceNumber: 901, timestamp: 160, arrival: 160), .accepted)
        XCTAssertTrue(stats.isValid)
        XCTAssertEqual(stats.received, 1)
        XCTAssertEqual(stats.extendedHighestSequence, 901)
        XCTAssertEqual(stats.expected, 1)
    }

    func testLossFractionAndCumulativeOnKnownPattern() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        for sequence in 0..<100 where sequence % 10 != 5 {  // 5, 15, …, 95 lost
            stats.update(sequenceNumber: UInt16(sequence), timestamp: UInt32(sequence * 160), arrival: UInt32(sequence * 160))
        }
        // Base is 1 (packet 0 was the probation packet): expected 99, received 89.
        XCTAssertEqual(stats.expected, 99)
        XCTAssertEqual(stats.received, 89)
        XCTAssertEqual(stats.cumulativeLost, 10)
        let first = stats.makeReportBlock(ssrc: 0xAA, now: NTPTimestamp(rawValue: 0))
        XCTAssertEqual(first.ssrc, 0xAA)
        XCTAssertEqual(first.fractionLost, 25)  // 10 × 256 / 99
        XCTAssertEqual(first.cumulativeLost, 10)
        XCTAssertEqual(first.extendedHighestSequence, 99)
        for sequence in 100..<150 where sequence != 120 && sequence != 130 {
            stats.update(sequenceNumber: UInt16(sequence), timestamp: UInt32(sequence * 160), arrival: UInt32(sequence * 160))
        }
        let second = stats.makeReportBlock(ssrc: 0xAA, now: NTPTimestamp(rawValue: 0))
        XCTAssertEqual(second.fractionLost, 10)  // 2 × 256 / 50
        XCTAssertEqual(second.cumulativeLost, 12)
        // A quiet interval reports no loss.
        XCTAssertEqual(stats.makeReportBlock(ssrc: 0xAA, now: NTPTimestamp(rawValue: 0)).fractionLost, 0)
    }

    func testDuplicatesClampFractionAndCountSeparately() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        for sequence: UInt16 in [1, 2, 3, 5, 4, 4, 5, 6] {
            stats.update(sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, arrival: UInt32(sequence) * 160)
        }
        XCTAssertEqual(stats.duplicates, 2)
        XCTAssertEqual(stats.reordered, 1)
        XCTAssertEqual(stats.expected, 5)  // 2…6
        XCTAssertEqual(stats.received, 7)
        XCTAssertEqual(stats.cumulativeLost, -2)
        let block = stats.makeReportBlock(ssrc: 1, now: NTPTimestamp(rawValue: 0))
        XCTAssertEqual(block.fractionLost, 0)  // negative loss reports 0
        XCTAssertEqual(block.cumulativeLost, -2)
    }

    func testJitterMatchesHandComputation() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        // Transit offsets (arrival − timestamp) of the packets after the probation packet.
        let offsets: [UInt32] = [0, 0, 80, 0, 40]
        for (index, offset) in offsets.enumerated() {
            let timestamp = UInt32(index) * 160 + 1_000_000
            stats.update(sequenceNumber: UInt16(index), timestamp: timestamp, arrival: UInt32(index) * 160 + offset)
        }
        // J: 80/16 = 5; 5 + (80−5)/16 = 9.6875; 9.6875 + (40−9.6875)/16 = 11.58…
        XCTAssertEqual(stats.jitter, 11)
        // Constant transit decays the jitter toward 0: 15/16 per packet.
        for index in 5..<40 {
            stats.update(sequenceNumber: UInt16(index), timestamp: UInt32(index) * 160 + 1_000_000, arrival: UInt32(index) * 160 + 40)
        }
        XCTAssertEqual(stats.jitter, 1)  // 11.582 × (15/16)^35 = 1.22
    }

    func testSequenceWrap() {
        var stats = RTPReceiveStatistics(clockRate: 48_000)
        for step in 0..<20 {
            let sequence = UInt16(truncatingIfNeeded: 65_526 + step)
            stats.update(sequenceNumber: sequence, timestamp: UInt32(step * 960), arrival: UInt32(step * 960))
        }
        XCTAssertEqual(stats.maxSequence, 9)
        XCTAssertEqual(stats.extendedHighestSequence, 65_536 + 9)
        XCTAssertEqual(stats.expected, 19)
        XCTAssertEqual(stats.cumulativeLost, 0)
        // A late packet from before the wrap is reordered, not a new cycle.
        XCTAssertEqual(stats.update(sequenceNumber: 65_534, timestamp: 0, arrival: 0), .duplicate)
        XCTAssertEqual(stats.extendedHighestSequence, 65_545)
    }

    func testRestartAfterLargeJump() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        for sequence: UInt16 in 100..<110 {
            stats.update(sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, arrival: UInt32(sequence) * 160)
        }
        XCTAssertEqual(stats.update(sequenceNumber: 40_000, timestamp: 0, arrival: 0), .badSequence)
        XCTAssertEqual(stats.extendedHighestSequence, 109)  // ignored
        XCTAssertEqual(stats.update(sequenceNumber: 110, timestamp: 0, arrival: 0), .accepted)  // old stream continues
        XCTAssertEqual(stats.update(sequenceNumber: 50_000, timestamp: 0, arrival: 0), .badSequence)
        XCTAssertEqual(stats.update(sequenceNumber: 50_001, timestamp: 160, arrival: 160), .restarted)
        XCTAssertEqual(stats.extendedHighestSequence, 50_001)
        XCTAssertEqual(stats.received, 1)
        XCTAssertEqual(stats.expected, 1)
        XCTAssertEqual(stats.update(sequenceNumber: 50_002, timestamp: 320, arrival: 320), .accepted)
        XCTAssertEqual(stats.cumulativeLost, 0)
    }

    func testLastSenderReportFeedsLSRAndDLSR() {
        var stats = RTPReceiveStatistics(clockRate: 8000)
        stats.update(sequenceNumber: 1, timestamp: 0, arrival: 0)
        stats.update(sequenceNumber: 2, timestamp: 160, arrival: 160)
        let srNTP = NTPTimestamp(seconds: 0xB705, fraction: 0x2000_0000)
        stats.receivedSenderReport(ntp: srNTP, arrival: NTPTimestamp(seconds: 100, fraction: 0))
        let block = stats.makeReportBlock(ssrc: 5, now: NTPTimestamp(seconds: 105, fraction: 0x4000_0000))
        XCTAssertEqual(block.lastSenderReport, 0xB705_2000)
        XCTAssertEqual(block.delaySinceLastSenderReport, 0x0005_4000)  // 5.25 s
    }
}
