import ChorusCodecs
import ChorusConference
import ChorusRTP
import ChorusTestSupport
import XCTest

final class OpusTickDecoderTests: XCTestCase {
    private func encode(_ pcm: [Int16], frameSamples: Int, fec: Bool = false) throws -> [[UInt8]] {
        let encoder = try OpusEncoder(sampleRate: 48_000, channels: 1)
        try encoder.setBitrate(32_000)
        if fec {
            try encoder.setInbandFEC(true)
            try encoder.setExpectedPacketLoss(20)
        }
        return try stride(from: 0, to: pcm.count - frameSamples + 1, by: frameSamples).map {
            try encoder.encode(Array(pcm[$0..<($0 + frameSamples)]))
        }
    }

    private func run(_ decoder: OpusTickDecoder, _ outputs: [JitterBufferOutput]) -> ([Int16], [OpusTickDecoder.FrameKind]) {
        var audio: [Int16] = []
        var kinds: [OpusTickDecoder.FrameKind] = []
        var frame = [Int16](repeating: 0, count: 960)
        for output in outputs {
            kinds.append(frame.withUnsafeMutableBufferPointer { decoder.nextFrame(output, into: $0) })
            audio += frame
        }
        return (audio, kinds)
    }

    func test60msPacketsAreSpreadOverThreeTicks() throws {
        let packets = try encode(AudioAnalysis.tone(700, samples: 48_000), frameSamples: 2880)
        var outputs: [JitterBufferOutput] = []
        for (index, packet) in packets.enumerated() {
            outputs += [.frame(payload: packet, timestamp: UInt32(index * 2880), samples: 2880), .covered, .covered]
        }
        let (audio, kinds) = run(try OpusTickDecoder(), outputs)
        XCTAssertEqual(audio.count, packets.count * 3 * 960)
        XCTAssertEqual(Set(kinds), [.audio])
        let steady = audio[9600...]
        XCTAssertGreaterThan(AudioAnalysis.energy(at: 700, in: steady), 100 * AudioAnalysis.energy(at: 1400, in: steady))
        XCTAssertGreaterThan(AudioAnalysis.rms(steady), 3000, "the covered ticks carry the tone, not zeros")
    }

    func testLossUsesFECFromTheNextPacketElsePLC() throws {
        let packets = try encode(AudioAnalysis.tone(500, samples: 48_000), frameSamples: 960, fec: true)
        let decoder = try OpusTickDecoder()
        var outputs: [JitterBufferOutput] = packets[0..<20].enumerated().map { .frame(payload: $1, timestamp: UInt32($0 * 960), samples: 960) }
        outputs.append(.lost(next: packets[21]))
        outputs.append(.frame(payload: packets[21], timestamp: 21 * 960, samples: 960))
        outputs.append(.lost(next: nil))
        let (audio, kinds) = run(decoder, outputs)
        XCTAssertEqual(kinds[20], .concealed)
        XCTAssertEqual(kinds[22], .concealed)
        XCTAssertEqual(decoder.concealedFrames, 2)
        let rebuilt = audio[(20 * 960)..<(21 * 960)]
        XCTAssertGreaterThan(AudioAnalysis.rms(rebuilt), 2000, "FEC rebuilds the tone instead of a gap")
        XCTAssertGreaterThan(AudioAnalysis.energy(at: 500, in: rebuilt), 20 * AudioAnalysis.energy(at: 1500, in: rebuilt))
        XCTAssertGreaterThan(AudioAnalysis.rms(audio[(22 * 960)...]), 500, "PLC continues the sound")
    }

    func testSilenceAndCorruptPackets() throws {
        let decoder = try OpusTickDecoder()
        let (audio, kinds) = run(decoder, [.silence, .frame(payload: [0xFF, 0xFF, 0xFF], timestamp: 0, samples: 960)])
        XCTAssertEqual(kinds, [.silence, .concealed])
        XCTAssertTrue(audio[0..<960].allSatisfy { $0 == 0 })
        XCTAssertEqual(decoder.corruptPackets, 1)
    }
}
