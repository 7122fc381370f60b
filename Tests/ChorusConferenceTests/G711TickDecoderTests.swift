import ChorusCodecs
import ChorusConference
import ChorusMixer
import ChorusRTP
import ChorusTestSupport
import XCTest

final class G711TickDecoderTests: XCTestCase {
    /// Plays `packets` 20 ms μ-law packets of a 400 Hz tone through a G.711 leg's jitter buffer,
    /// then `quietTicks` ticks with nothing more arriving; returns the 48 kHz audio and the kinds.
    private func play(packets: Int, quietTicks: Int) throws -> (audio: [Int16], kinds: [TickFrameKind], decoder: G711TickDecoder) {
        let codec = G711Codec(law: .muLaw)
        let tone = AudioAnalysis.tone(400, samples: packets * 160, sampleRate: 8_000)
        var buffer = JitterBuffer(configuration: JitterBufferConfiguration(clockRate: 8_000, samplesPerTick: 80))
        let decoder = try G711TickDecoder(law: .muLaw)
        var audio: [Int16] = []
        var kinds: [TickFrameKind] = []
        var frame = [Int16](repeating: 0, count: 960)
        // Each packet arrives at its own time; the tick 40 ms later plays it (20 ms floor plus the wait).
        for tick in 0..<(packets + 2 + quietTicks) {
            let now = Int64(1000 + 20 * tick)
            if tick < packets {
                let payload = codec.encode(Array(tone[(tick * 160)..<((tick + 1) * 160)]))
                _ = buffer.insert(
                    sequenceNumber: UInt16(tick), timestamp: UInt32(tick * 160), ssrc: 1, marker: tick == 0, payload: payload, arrivalMs: now)
            }
            kinds.append(frame.withUnsafeMutableBufferPointer { decoder.nextFrame(from: &buffer, nowMilliseconds: now, into: $0) })
            audio += frame
        }
        return (audio, kinds, decoder)
    }

    func testAStreamThatStopsMidToneFadesOutInsteadOfCutting() throws {
        let (audio, kinds, decoder) = try play(packets: 25, quietTicks: 6)
        XCTAssertEqual(decoder.fadedOutStreams, 1)
        let lastSound = try XCTUnwrap(kinds.lastIndex { $0 != .silence })
        XCTAssertEqual(Set(kinds[(lastSound + 1)...]), [.silence], "one fade, then silence: \(kinds)")
        // The sound dies away over the fade's 20 ms (960 samples at 48 kHz) instead of stopping at
        // full strength: the last 2.5 ms before it ends are quiet.
        let end = try XCTUnwrap(audio.lastIndex { abs(Int($0)) > 50 })
        let steadyPeak = try XCTUnwrap(audio[(end - 4800)..<(end - 2400)].map { abs(Int($0)) }.max())
        let endPeak = try XCTUnwrap(audio[(end - 120)...end].map { abs(Int($0)) }.max())
        XCTAssertLessThan(endPeak, steadyPeak / 4, "faded, not cut")
        // Around the end, the 50 ms (Hann-windowed) hold a tone, not a click: against the same
        // audio cut where the fade began, far less energy high above the tone. (Just above it, the
        // concealment's own repetitions of a pitch period leave some, as for any lost packet.)
        let around = (end - 1440)..<(end + 960)
        let cut = Array(audio[around].prefix(960)) + [Int16](repeating: 0, count: 1440)
        func click(_ samples: [Int16]) -> Double {
            let high = [2300.0, 2700, 3100, 3500].map { ToneMeter.meanBlockPower(of: $0, in: samples, blockLength: 2400) }
            return high.reduce(0, +) / ToneMeter.meanBlockPower(of: 400, in: samples, blockLength: 2400)
        }
        let faded = click(Array(audio[around]))
        XCTAssertLessThan(faded, click(cut) / 10, "\(10 * log10(faded)) dB against \(10 * log10(click(cut))) dB cut")
    }

    func testAStreamThatNeverStartedStaysSilent() throws {
        let (audio, kinds, decoder) = try play(packets: 0, quietTicks: 5)
        XCTAssertEqual(Set(kinds), [.silence])
        XCTAssertEqual(decoder.fadedOutStreams, 0)
        XCTAssertTrue(audio.allSatisfy { $0 == 0 })
    }
}
