import ChorusCodecs
import ChorusConference
import ChorusMixer
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

    func testAStreamThatStopsMidToneFadesOutInsteadOfCutting() throws {
        let packets = try encode(AudioAnalysis.tone(500, samples: 48_000), frameSamples: 960)
        let decoder = try OpusTickDecoder()
        let outputs: [JitterBufferOutput] = packets[0..<20].enumerated().map { .frame(payload: $1, timestamp: UInt32($0 * 960), samples: 960) }
        let (audio, kinds) = run(decoder, outputs + [.silence, .silence])
        XCTAssertEqual(Array(kinds[20...]), [.concealed, .silence])
        XCTAssertEqual(decoder.fadedOutStreams, 1)
        let fade = audio[(20 * 960)..<(21 * 960)]
        XCTAssertGreaterThan(AudioAnalysis.rms(fade.prefix(240)), 2000, "the fade continues the tone")
        XCTAssertLessThan(AudioAnalysis.rms(fade.suffix(48)), 300, "and ends at zero")
        XCTAssertTrue(audio[(21 * 960)...].allSatisfy { $0 == 0 })
        // The 50 ms around the end, Hann-windowed: a cut spreads the tone over the whole band (a
        // click, heard at 800 Hz and 2 kHz as much as anywhere); the fade keeps it near 500 Hz.
        let end = (20 * 960 - 1200)..<(20 * 960 + 1200)
        let cut = Array(audio[end].prefix(1200)) + [Int16](repeating: 0, count: 1200)
        for offTone in [800.0, 2000] {
            func ratio(_ samples: [Int16]) -> Double {
                ToneMeter.meanBlockPower(of: offTone, in: samples, blockLength: 2400) / ToneMeter.meanBlockPower(of: 500, in: samples, blockLength: 2400)
            }
            let faded = ratio(Array(audio[end])), abrupt = ratio(cut)
            XCTAssertLessThan(faded, abrupt / 100, "\(offTone) Hz: \(10 * log10(faded)) dB faded, \(10 * log10(abrupt)) dB cut")
        }
    }

    func testAStreamLeftUndecodedHasNothingToFadeOut() throws {
        let packets = try encode(AudioAnalysis.tone(500, samples: 9600), frameSamples: 960)
        let decoder = try OpusTickDecoder()
        _ = run(decoder, [.frame(payload: packets[0], timestamp: 0, samples: 960)])
        decoder.skip(.frame(payload: packets[1], timestamp: 960, samples: 960))
        let (audio, kinds) = run(decoder, [.silence])
        XCTAssertEqual(kinds, [.silence])
        XCTAssertEqual(decoder.fadedOutStreams, 0)
        XCTAssertTrue(audio.allSatisfy { $0 == 0 })
    }

    func testSilenceAndCorruptPackets() throws {
        let decoder = try OpusTickDecoder()
        let (audio, kinds) = run(decoder, [.silence, .frame(payload: [0xFF, 0xFF, 0xFF], timestamp: 0, samples: 960)])
        XCTAssertEqual(kinds, [.silence, .concealed])
        XCTAssertTrue(audio[0..<960].allSatisfy { $0 == 0 })
        XCTAssertEqual(decoder.corruptPackets, 1)
    }
}

/// Skipping silent participants' packets and resuming with a pre-roll (what the room does to
/// avoid decoding hundreds of silent streams): the first frames of speech must come out as if
/// every packet had been decoded.
final class OpusTickDecoderSkippingTests: XCTestCase {
    /// 2 s of a stream: quiet noise (the first second) then a voiced tone, as 20 ms Opus packets.
    private func onsetStream() throws -> (packets: [[UInt8]], onset: Int) {
        let encoder = try OpusEncoder(configuration: OpusEncoderConfiguration(bitrate: 32_000, complexity: 5))
        var generator = SeededGenerator(seed: 7)
        var packets: [[UInt8]] = []
        for frame in 0..<100 {
            var pcm = [Int16](repeating: 0, count: 960)
            for index in 0..<960 {
                let time = Double(frame * 960 + index) / 48_000
                let noise = Double(Int.random(in: -100...100, using: &generator))
                let voice = frame >= 50 ? 8_000 * sin(2 * .pi * 300 * time) * (0.6 + 0.4 * sin(2 * .pi * 3 * time)) + 3_000 * sin(2 * .pi * 1_200 * time) : 0
                pcm[index] = Int16(noise + voice)
            }
            packets.append(try encoder.encode(pcm))
        }
        return (packets, 50)
    }

    private func frame(_ payload: [UInt8], _ index: Int) -> JitterBufferOutput {
        .frame(payload: payload, timestamp: UInt32(index * 960), samples: 960)
    }

    func testResumingAfterSkippedPacketsMatchesADecoderThatNeverSkipped() throws {
        let (packets, onset) = try onsetStream()
        let reference = try OpusTickDecoder()
        let skipping = try OpusTickDecoder()
        var frame = [Int16](repeating: 0, count: 960)
        var referenceFrames: [[Int16]] = []
        var skippingFrames: [[Int16]] = []
        for (index, packet) in packets.enumerated() {
            _ = frame.withUnsafeMutableBufferPointer { reference.nextFrame(self.frame(packet, index), into: $0) }
            referenceFrames.append(frame)
            // Heard for the first 10 frames, then silent (skipped) until the onset.
            if index < 10 || index >= onset {
                _ = frame.withUnsafeMutableBufferPointer { skipping.nextFrame(self.frame(packet, index), into: $0) }
                skippingFrames.append(frame)
            } else {
                skipping.skip(self.frame(packet, index))
                skippingFrames.append([])
            }
        }
        XCTAssertEqual(skipping.skippedPackets, onset - 10)
        XCTAssertEqual(skipping.prerolledPackets, OpusTickDecoder.prerollPackets)
        let onsetSNR = AudioAnalysis.signalToDifference(referenceFrames[onset], skippingFrames[onset])
        let nextSNR = AudioAnalysis.signalToDifference(referenceFrames[onset + 1], skippingFrames[onset + 1])

        // The same skips on a bare decoder that resumes without a pre-roll.
        let bare = try OpusDecoder()
        for packet in packets[0..<10] { _ = try bare.decode(packet) }
        let bareOnsetSNR = AudioAnalysis.signalToDifference(referenceFrames[onset], try bare.decode(packets[onset]))
        print("onset frame after \(onset - 10) skipped packets: SNR \(Int(onsetSNR)) dB with pre-roll (next frame \(Int(nextSNR)) dB), \(Int(bareOnsetSNR)) dB without")
        XCTAssertGreaterThan(onsetSNR, 60)
        XCTAssertGreaterThan(nextSNR, 60)
        XCTAssertGreaterThan(onsetSNR, bareOnsetSNR + 20, "the pre-roll is what makes the onset clean")
    }

    func testADTXGapForgetsThePreroll() throws {
        let (packets, _) = try onsetStream()
        let decoder = try OpusTickDecoder()
        decoder.skip(frame(packets[0], 0))
        decoder.skip(frame(packets[1], 1))
        decoder.skip(.silence)
        var pcm = [Int16](repeating: 0, count: 960)
        XCTAssertEqual(pcm.withUnsafeMutableBufferPointer { decoder.nextFrame(frame(packets[60], 60), into: $0) }, .audio)
        XCTAssertEqual(decoder.prerolledPackets, 0)
        XCTAssertTrue(decoder.isDecoding)
        decoder.skip(.covered)
        XCTAssertFalse(decoder.isDecoding)
    }
}
