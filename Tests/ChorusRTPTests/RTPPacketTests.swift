import XCTest
@testable import ChorusRTP

/// Deterministic generator for tests (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

final class RTPPacketTests: XCTestCase {
    private func parse(_ bytes: [UInt8]) -> Result<RTPPacket, RTPParseError> {
        do throws(RTPParseError) {
            return .success(try RTPPacket(parsing: bytes))
        } catch {
            return .failure(error)
        }
    }

    private let header = RTPHeader(marker: true, payloadType: 111, sequenceNumber: 0xABCD, timestamp: 0x1122_3344, ssrc: 0xDEAD_BEEF)

    func testFixedHeaderFields() throws {
        let bytes: [UInt8] = [0x80, 0xEF, 0xAB, 0xCD, 0x11, 0x22, 0x33, 0x44, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3]
        try bytes.withUnsafeBytes { raw in
            let view = try RTPPacketView(bytes: raw)
            XCTAssertEqual(view.version, 2)
            XCTAssertTrue(view.marker)
            XCTAssertEqual(view.payloadType, 111)
            XCTAssertEqual(view.sequenceNumber, 0xABCD)
            XCTAssertEqual(view.timestamp, 0x1122_3344)
            XCTAssertEqual(view.ssrc, 0xDEAD_BEEF)
            XCTAssertEqual(view.payloadRange, 12..<15)
            XCTAssertEqual(Array(view.payload), [1, 2, 3])
            XCTAssertNil(view.extensionRange)
        }
    }

    func testRoundTripWithCSRCsExtensionAndPadding() throws {
        let packet = RTPPacket(
            header: header, csrcs: [1, 2, 0xFFFF_FFFF], headerExtension: (0xBEDE, [0x10, 0xAA, 0, 0]),
            payload: Array(0..<40), paddingLength: 4)
        let bytes = packet.serialized()
        XCTAssertEqual(bytes.count, 12 + 12 + 8 + 40 + 4)
        XCTAssertEqual(bytes[0], 0x80 | 0x20 | 0x10 | 3)
        let parsed = try RTPPacket(parsing: bytes)
        XCTAssertEqual(parsed, packet)
        XCTAssertEqual(parsed.serialized(), bytes)
    }

    func testWriterMatchesValueSerialisation() throws {
        var buffer = [UInt8](repeating: 0xFF, count: 200)
        let csrcs: [UInt32] = [7, 8]
        let payload: [UInt8] = [9, 9, 9]
        let element = try XCTUnwrap(RTPOneByteExtensionElement.audioLevel(id: 1, RTPAudioLevel(voiceActivity: true, level: 30)))
        let length = try buffer.withUnsafeMutableBytes { out in
            try csrcs.withUnsafeBufferPointer { list in
                try payload.withUnsafeBytes { body in
                    try RTPWriter.writePacket(header, csrcs: list, extension: element, payload: body, into: out)
                }
            }
        }
        XCTAssertEqual(length, 12 + 8 + 8 + 3)
        let expected = RTPPacket(
            header: header, csrcs: csrcs, headerExtension: (0xBEDE, [0x10, 0x80 | 30, 0, 0]), payload: payload
        ).serialized()
        XCTAssertEqual(Array(buffer[0..<length]), expected)
        try buffer.withUnsafeBytes { raw in
            let view = try RTPPacketView(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<length]))
            XCTAssertEqual(view.audioLevel(id: 1), RTPAudioLevel(voiceActivity: true, level: 30))
            XCTAssertNil(view.audioLevel(id: 2))
            XCTAssertEqual(view.csrc(at: 1), 8)
        }
    }

    func testWriterErrors() throws {
        var small = [UInt8](repeating: 0, count: 11)
        try small.withUnsafeMutableBytes { out in
            XCTAssertThrowsError(try RTPWriter.writeHeader(header, into: out)) {
                XCTAssertEqual($0 as? RTPBuildError, .bufferTooSmall(needed: 12, available: 11))
            }
        }
        var buffer = [UInt8](repeating: 0, count: 100)
        let sixteen = [UInt32](repeating: 1, count: 16)
        try buffer.withUnsafeMutableBytes { out in
            try sixteen.withUnsafeBufferPointer { list in
                XCTAssertThrowsError(try RTPWriter.writeHeader(header, csrcs: list, into: out)) {
                    XCTAssertEqual($0 as? RTPBuildError, .tooManyItems(16))
                }
            }
            var bad = header
            bad.payloadType = 128
            XCTAssertThrowsError(try RTPWriter.writeHeader(bad, into: out))
        }
        XCTAssertNil(RTPOneByteExtensionElement(id: 15, data: [1]))
        XCTAssertNil(RTPOneByteExtensionElement(id: 1, data: [UInt8](repeating: 0, count: 17)))
    }

    func testValidationErrors() {
        let valid = RTPPacket(header: header, payload: [1, 2, 3, 4]).serialized()
        XCTAssertEqual(parse(Array(valid.prefix(11))), .failure(.tooShort(length: 11)))
        var version1 = valid
        version1[0] = 0x40
        XCTAssertEqual(parse(version1), .failure(.unsupportedVersion(1)))
        var csrcs = valid
        csrcs[0] = 0x82  // 2 CSRCs = 8 bytes, only 4 follow
        XCTAssertEqual(parse(csrcs), .failure(.truncatedCSRCList(csrcCount: 2, length: 16)))
        var extensionHeader = Array(valid.prefix(14))
        extensionHeader[0] = 0x90  // X set but only 2 bytes after the fixed header
        XCTAssertEqual(parse(extensionHeader), .failure(.truncatedExtension))
        var extensionData = Array(valid.prefix(12)) + [0xBE, 0xDE, 0x00, 0x02, 0x10, 0x01, 0, 0]
        extensionData[0] = 0x90  // claims 2 words, has 1
        XCTAssertEqual(parse(extensionData), .failure(.truncatedExtension))
        var zeroPadding = valid
        zeroPadding[0] = 0xA0
        zeroPadding[zeroPadding.count - 1] = 0
        XCTAssertEqual(parse(zeroPadding), .failure(.invalidPadding(count: 0)))
        var longPadding = valid
        longPadding[0] = 0xA0
        longPadding[longPadding.count - 1] = 5  // 4 payload bytes only
        XCTAssertEqual(parse(longPadding), .failure(.invalidPadding(count: 5)))
        longPadding[longPadding.count - 1] = 4  // the whole payload is padding: allowed
        XCTAssertEqual(try? parse(longPadding).get().payload, [])
    }

    func testOneByteExtensionElements() throws {
        // id 1 (1 byte), padding, id 3 (3 bytes), id 15 stops; id 5 after it is not seen.
        let data: [UInt8] = [0x10, 0xAA, 0x00, 0x32, 1, 2, 3, 0xF0, 0x50, 0x77, 0, 0]
        let bytes = RTPPacket(header: header, headerExtension: (0xBEDE, data), payload: [0]).serialized()
        try bytes.withUnsafeBytes { raw in
            let view = try RTPPacketView(bytes: raw)
            let elements = try XCTUnwrap(view.extensionElements)
            XCTAssertEqual(elements.form, .oneByte)
            XCTAssertEqual(elements.map(\.id), [1, 3])
            let three = try XCTUnwrap(view.extensionElement(id: 3))
            XCTAssertEqual(Array(raw[three]), [1, 2, 3])
            XCTAssertNil(view.extensionElement(id: 5))
            XCTAssertEqual(view.audioLevel(id: 1), RTPAudioLevel(voiceActivity: true, level: 42))
        }
    }

    func testTwoByteExtensionElements() throws {
        // id 200 with 0 bytes, padding, id 7 with 3 bytes.
        let data: [UInt8] = [200, 0, 0, 7, 3, 0x85, 2, 3]
        let bytes = RTPPacket(header: header, headerExtension: (0x1000, data), payload: [0]).serialized()
        try bytes.withUnsafeBytes { raw in
            let view = try RTPPacketView(bytes: raw)
            let elements = try XCTUnwrap(view.extensionElements)
            XCTAssertEqual(elements.form, .twoByte)
            XCTAssertEqual(elements.map(\.id), [200, 7])
            XCTAssertEqual(view.extensionElement(id: 200)?.count, 0)
            XCTAssertEqual(view.audioLevel(id: 7), RTPAudioLevel(voiceActivity: true, level: 5))
            XCTAssertNil(view.audioLevel(id: 200))  // empty element carries no level
        }
        // A truncated element inside the extension ends iteration without crashing.
        let truncated: [UInt8] = [9, 10, 1, 2]
        let other = RTPPacket(header: header, headerExtension: (0x1003, truncated), payload: []).serialized()
        try other.withUnsafeBytes { raw in
            XCTAssertNil(try RTPPacketView(bytes: raw).extensionElement(id: 9))
        }
        // Unknown profiles are not RFC 8285.
        let unknown = RTPPacket(header: header, headerExtension: (0x1234, [0x10, 1, 0, 0]), payload: []).serialized()
        try unknown.withUnsafeBytes { raw in
            let view = try RTPPacketView(bytes: raw)
            XCTAssertEqual(view.extensionProfile, 0x1234)
            XCTAssertNil(view.extensionElements)
        }
    }

    func testRandomBytesNeverCrash() {
        var random = TestRandom(seed: 42)
        var valid = 0
        for round in 0..<20_000 {
            let length = Int(random.next() % 80)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }  // mostly version 2
            bytes.withUnsafeBytes { raw in
                guard let view = try? RTPPacketView(bytes: raw) else { return }
                valid += 1
                XCTAssertLessThanOrEqual(view.payloadRange.upperBound, raw.count)
                XCTAssertLessThanOrEqual(12 + 4 * view.csrcCount, view.payloadRange.lowerBound)
                for element in view.extensionElements ?? RTPHeaderExtensionElements(bytes: raw, range: 0..<0, form: .oneByte) {
                    XCTAssertLessThanOrEqual(element.range.upperBound, view.extensionRange!.upperBound)
                }
                _ = view.audioLevel(id: 1)
            }
        }
        XCTAssertGreaterThan(valid, 1000)
    }
}

final class RTPSendStreamTests: XCTestCase {
    func testRandomInitialValuesFromInjectedGenerator() {
        var random = TestRandom(seed: 7)
        var copy = random
        let stream = RTPSendStream(payloadType: 111, clockRate: 48_000) { random.next() }
        XCTAssertEqual(stream.ssrc, UInt32(truncatingIfNeeded: copy.next() >> 32))
        XCTAssertEqual(stream.sequenceNumber, UInt16(truncatingIfNeeded: copy.next() >> 48))
        XCTAssertEqual(stream.timestamp, UInt32(truncatingIfNeeded: copy.next() >> 32))
    }

    func testSequenceWrapsAndCountersAdvance() {
        var stream = RTPSendStream(ssrc: 9, payloadType: 111, clockRate: 48_000, sequenceNumber: 65_534, timestamp: 0xFFFF_FC00)
        let first = stream.nextHeader(samples: 960, payloadOctets: 100)
        let second = stream.nextHeader(samples: 960, payloadOctets: 50)
        let third = stream.nextHeader(samples: 960, payloadOctets: 10)
        XCTAssertEqual([first, second, third].map(\.sequenceNumber), [65_534, 65_535, 0])
        XCTAssertEqual([first, second, third].map(\.timestamp), [0xFFFF_FC00, 0xFFFF_FC00 &+ 960, 0xFFFF_FC00 &+ 1920])
        XCTAssertEqual([first, second, third].map(\.marker), [true, false, false])  // first packet starts a talkspurt
        XCTAssertEqual(stream.packetCount, 3)
        XCTAssertEqual(stream.octetCount, 160)
        XCTAssertEqual(third.ssrc, 9)
    }

    func testMarkerOnTalkspurtStartAndSilenceGap() {
        var stream = RTPSendStream(ssrc: 1, payloadType: 0, clockRate: 8000, sequenceNumber: 10, timestamp: 1000)
        _ = stream.nextHeader(samples: 160, payloadOctets: 160)
        XCTAssertFalse(stream.nextHeader(samples: 160, payloadOctets: 160).marker)
        stream.skip(milliseconds: 400)  // DTX: 400 ms without packets
        let resumed = stream.nextHeader(samples: 160, payloadOctets: 160)
        XCTAssertTrue(resumed.marker)
        XCTAssertEqual(resumed.sequenceNumber, 12)  // sequence does not skip
        XCTAssertEqual(resumed.timestamp, 1000 + 320 + 3200)
        XCTAssertTrue(stream.nextHeader(samples: 160, payloadOctets: 1, marker: true).marker)  // caller-signalled
        XCTAssertFalse(stream.nextHeader(samples: 160, payloadOctets: 1).marker)
    }

    func testTimestampContinuityThroughClockRateChangeAndHold() {
        var stream = RTPSendStream(ssrc: 1, payloadType: 111, clockRate: 48_000, sequenceNumber: 0, timestamp: 100_000)
        for _ in 0..<3 { _ = stream.nextHeader(samples: 960, payloadOctets: 80) }
        XCTAssertEqual(stream.timestamp, 102_880)
        // Switch to PCMU (8 kHz): continues from 102_880 in 8 kHz units.
        stream.changeCodec(payloadType: 0, clockRate: 8000)
        let pcmu = stream.nextHeader(samples: 160, payloadOctets: 160)
        XCTAssertEqual(pcmu.timestamp, 102_880)
        XCTAssertEqual(pcmu.payloadType, 0)
        XCTAssertEqual(stream.timestamp, 103_040)
        // Hold for 2.5 s: the timestamp reflects the wall time that passed.
        stream.skip(samples: 2500 * 8)
        let afterHold = stream.nextHeader(samples: 160, payloadOctets: 160)
        XCTAssertEqual(afterHold.timestamp, 103_040 + 20_000)
        XCTAssertTrue(afterHold.marker)
        // Back to Opus: still monotonic.
        stream.changeCodec(payloadType: 111, clockRate: 48_000)
        let opus = stream.nextHeader(samples: 960, payloadOctets: 80)
        XCTAssertEqual(opus.timestamp, 123_200)
        XCTAssertGreaterThan(opus.timestamp, afterHold.timestamp)
        XCTAssertEqual(stream.senderReportTimestamp(elapsedMillisecondsSinceLastPacket: 10), 123_200 + 480)
    }
}
