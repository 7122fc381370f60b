import ChorusMixer
import XCTest
@testable import ChorusCodecs

final class OpusTests: XCTestCase {
    private let frame = 960  // 20 ms at 48 kHz

    /// `seconds` of a sine at `frequency` Hz, 48 kHz, amplitude 0.5 full scale.
    private func sine(frequency: Double, seconds: Double = 1) -> [Int16] {
        (0..<Int(48_000 * seconds)).map { i in
            Int16(16_384 * sin(2 * Double.pi * frequency * Double(i) / 48_000))
        }
    }

    /// Energy at one frequency (Goertzel): |X(f)|² over the block.
    private func goertzel(_ samples: ArraySlice<Int16>, frequency: Double) -> Double {
        ToneMeter.power(of: frequency, in: samples)
    }

    private func encodeFrames(_ pcm: [Int16], encoder: OpusEncoder) throws -> [[UInt8]] {
        try stride(from: 0, to: pcm.count, by: frame).map { try encoder.encode(Array(pcm[$0..<$0 + frame])) }
    }

    func testSineSurvivesEncodeDecode() throws {
        let encoder = try OpusEncoder()
        let decoder = try OpusDecoder()
        let packets = try encodeFrames(sine(frequency: 1_000), encoder: encoder)
        XCTAssertEqual(packets.count, 50)
        var decoded: [Int16] = []
        for packet in packets {
            XCTAssertGreaterThan(packet.count, 2)
            XCTAssertLessThanOrEqual(packet.count, 32_000 / 8 / 50 * 2)  // near the 80-byte budget
            let pcm = try decoder.decode(packet)
            XCTAssertEqual(pcm.count, frame)
            decoded += pcm
        }
        // Skip the first 100 ms: codec delay (lookahead) and encoder start-up.
        let lookahead = Int(try encoder.lookahead())
        XCTAssertGreaterThan(lookahead, 0)
        let settled = decoded[4_800...]
        let at1k = goertzel(settled, frequency: 1_000)
        let at3k = goertzel(settled, frequency: 3_000)
        let at500 = goertzel(settled, frequency: 500)
        XCTAssertGreaterThan(at1k, 20 * at3k, "1 kHz \(at1k) vs 3 kHz \(at3k)")
        XCTAssertGreaterThan(at1k, 20 * at500, "1 kHz \(at1k) vs 500 Hz \(at500)")
        // And it is loud: about the input's level (amplitude 0.5 FS → rms ≈ 11585).
        let rms = (settled.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(settled.count)).squareRoot()
        XCTAssertGreaterThan(rms, 8_000)
        XCTAssertLessThan(rms, 15_000)
    }

    func testRawBufferEncodeAndDecode() throws {
        let encoder = try OpusEncoder()
        let decoder = try OpusDecoder()
        let pcm = Array(sine(frequency: 440)[0..<frame])
        var packet = [UInt8](repeating: 0, count: Opus.maxPacketSize)
        let length = try pcm.withUnsafeBufferPointer { samples in
            try packet.withUnsafeMutableBytes { try encoder.encode(pcm: samples, into: $0) }
        }
        XCTAssertGreaterThan(length, 0)
        var out = [Int16](repeating: 0, count: Opus.maxFrameSamplesPerChannel)
        let samples = try packet[0..<length].withUnsafeBytes { bytes in
            try out.withUnsafeMutableBufferPointer { try decoder.decode(packet: bytes, into: $0) }
        }
        XCTAssertEqual(samples, frame)
        XCTAssertEqual(try decoder.lastPacketDuration(), frame)
    }

    func testConcealmentProducesFramesOfTheRequestedSize() throws {
        let encoder = try OpusEncoder()
        let decoder = try OpusDecoder()
        for packet in try encodeFrames(sine(frequency: 1_000, seconds: 0.2), encoder: encoder) {
            _ = try decoder.decode(packet)
        }
        XCTAssertEqual(try decoder.concealLoss(frameSize: 960).count, 960)
        XCTAssertEqual(try decoder.concealLoss(frameSize: 480).count, 480)
        XCTAssertEqual(try decoder.lastPacketDuration(), 480)
        // Concealment right after speech continues the tone rather than going silent.
        let plc = try decoder.concealLoss(frameSize: 960)
        XCTAssertGreaterThan(plc.map { abs(Int($0)) }.max() ?? 0, 100)
        XCTAssertThrowsError(try decoder.concealLoss(frameSize: 7))
        XCTAssertThrowsError(try decoder.concealLoss(frameSize: 0))
    }

    func testFECRebuildsALostFrame() throws {
        let encoder = try OpusEncoder(
            configuration: OpusEncoderConfiguration(inbandFEC: true, expectedPacketLoss: 20))
        XCTAssertTrue(try encoder.inbandFEC())
        XCTAssertEqual(try encoder.expectedPacketLoss(), 20)
        let packets = try encodeFrames(sine(frequency: 1_000), encoder: encoder)
        let decoder = try OpusDecoder()
        var output: [Int16] = []
        for (index, packet) in packets.enumerated() {
            if index == 25 { continue }  // lost
            if index == 26 {
                let rebuilt = try decoder.decodeFEC(nextPacket: packet, frameSize: frame)
                XCTAssertEqual(rebuilt.count, frame)
                output += rebuilt
            }
            output += try decoder.decode(packet)
        }
        XCTAssertEqual(output.count, 50 * frame)
        let rebuilt = output[25 * frame..<26 * frame]
        XCTAssertGreaterThan(goertzel(rebuilt, frequency: 1_000), 20 * goertzel(rebuilt, frequency: 3_000))
    }

    func testBadPacketsThrowInsteadOfCrashing() throws {
        let decoder = try OpusDecoder()
        XCTAssertThrowsError(try decoder.decode([])) { error in
            guard case .invalidArgument = error as? OpusError else { return XCTFail("\(error)") }
        }
        // TOC code 3 (arbitrary frame count) with a frame count of 0 is malformed.
        XCTAssertThrowsError(try decoder.decode([0x03, 0x00])) { error in
            guard case .library(let code, let message) = error as? OpusError else { return XCTFail("\(error)") }
            XCTAssertLessThan(code, 0)
            XCTAssertFalse(message.isEmpty)
        }
        // Random garbage: every outcome but a crash is acceptable.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let packet = (0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? decoder.decode(packet)
        }
        // Too small an output buffer for a 20 ms packet is a libopus error, not an overflow.
        let packet = try OpusEncoder().encode([Int16](repeating: 0, count: frame))
        var small = [Int16](repeating: 0, count: 120)
        XCTAssertThrowsError(
            try packet.withUnsafeBytes { bytes in
                try small.withUnsafeMutableBufferPointer { try decoder.decode(packet: bytes, into: $0) }
            })
    }

    func testInvalidEncoderInput() throws {
        let encoder = try OpusEncoder()
        XCTAssertThrowsError(try encoder.encode([Int16](repeating: 0, count: 100))) { error in
            XCTAssertEqual(error as? OpusError, .invalidFrameSize(samplesPerChannel: 100))
        }
        XCTAssertThrowsError(try encoder.encode([]))
        XCTAssertThrowsError(try OpusEncoder(sampleRate: 44_100))
        XCTAssertThrowsError(try OpusEncoder(channels: 3))
        XCTAssertThrowsError(try encoder.setBitrate(-5)) { error in
            guard case .library(let code, _) = error as? OpusError else { return XCTFail("\(error)") }
            XCTAssertEqual(code, -1)  // OPUS_BAD_ARG
        }
        XCTAssertThrowsError(try encoder.setComplexity(11))
    }

    func testControlsTakeEffect() throws {
        let encoder = try OpusEncoder()
        XCTAssertEqual(try encoder.application(), .voip)
        try encoder.setBitrate(24_000)
        XCTAssertEqual(try encoder.bitrate(), 24_000)
        try encoder.setComplexity(2)
        XCTAssertEqual(try encoder.complexity(), 2)
        try encoder.setDTX(true)
        XCTAssertTrue(try encoder.dtx())
        try encoder.setSignal(.music)
        XCTAssertEqual(try encoder.signal(), .music)
        try encoder.setMaxBandwidth(.wideband)
        XCTAssertEqual(try encoder.maxBandwidth(), .wideband)
        try encoder.setApplication(.audio)
        XCTAssertEqual(try encoder.application(), .audio)

        // Bitrate changes packet sizes; DTX shrinks silence to a byte or two.
        let tone = Array(sine(frequency: 1_000, seconds: 0.2))
        let low = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 8_000))
        let high = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 64_000))
        let lowBytes = try encodeFrames(tone, encoder: low).reduce(0) { $0 + $1.count }
        let highBytes = try encodeFrames(tone, encoder: high).reduce(0) { $0 + $1.count }
        XCTAssertGreaterThan(highBytes, 3 * lowBytes)
        let dtx = try OpusEncoder(configuration: OpusEncoderConfiguration(dtx: true))
        let silence = try encodeFrames([Int16](repeating: 0, count: 48_000), encoder: dtx)
        XCTAssertTrue(silence.suffix(10).allSatisfy { $0.count <= 2 }, "\(silence.suffix(10).map(\.count))")
    }

    func testDecoderResetAndStereo() throws {
        let encoder = try OpusEncoder(channels: 2)
        let decoder = try OpusDecoder(channels: 2)
        let stereo = [Int16](repeating: 1_000, count: 2 * frame)
        let pcm = try decoder.decode(try encoder.encode(stereo))
        XCTAssertEqual(pcm.count, 2 * frame)
        try decoder.reset()
        XCTAssertEqual(try decoder.decode(try encoder.encode(stereo)).count, 2 * frame)
    }

    func testAnEncoderThatContinuesAnothersStreamEncodesTheSameBytes() throws {
        let configuration = OpusEncoderConfiguration(bitrate: 32_000, complexity: 5, inbandFEC: true, expectedPacketLoss: 5)
        let original = try OpusEncoder(configuration: configuration)
        // A copy made mid-stream, while the tone is sounding: a fresh encoder would start from zero state.
        let copy = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 12_000, complexity: 0))
        let pcm = sine(frequency: 440, seconds: 2)
        var mismatches = 0
        var fresh = 0
        for (index, start) in stride(from: 0, to: pcm.count, by: frame).enumerated() {
            let chunk = Array(pcm[start..<start + frame])
            if index == 40 { copy.continueStream(of: original) }
            let expected = try original.encode(chunk)
            if index >= 40, try copy.encode(chunk) != expected { mismatches += 1 }
            if index == 40 {
                // Without the copy, a new encoder's first packet differs.
                if try OpusEncoder(configuration: configuration).encode(chunk) != expected { fresh += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0)
        XCTAssertEqual(fresh, 1)
        // The settings came along with the state.
        XCTAssertEqual(try copy.bitrate(), 32_000)
        XCTAssertEqual(try copy.complexity(), 5)
        XCTAssertTrue(try copy.inbandFEC())
    }
}
