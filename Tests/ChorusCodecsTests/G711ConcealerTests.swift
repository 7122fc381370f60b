import XCTest
@testable import ChorusCodecs

final class G711ConcealerTests: XCTestCase {
    private let frame = 160  // 20 ms at 8 kHz
    private let amplitude = 10_000.0

    /// Frame `index` of a steady 500 Hz tone (10 whole cycles per frame).
    private func toneFrame(_ index: Int) -> [Int16] {
        AudioTestTones.sine(frequency: 500, amplitude: amplitude, sampleRate: 8_000, count: frame, start: index * frame)
    }

    /// A concealer that has heard `frames` frames of the tone.
    private func concealerAfterTone(frames: Int) -> G711Concealer {
        let concealer = G711Concealer()
        for index in 0..<frames { _ = concealer.received(toneFrame(index)) }
        return concealer
    }

    func testGoodAudioPassesUnchanged() {
        let concealer = G711Concealer()
        for index in 0..<10 {
            XCTAssertEqual(concealer.received(toneFrame(index)), toneFrame(index), "frame \(index)")
        }
    }

    func testConcealedFrameContinuesTheToneWithoutAClick() {
        let received = 10
        let concealer = concealerAfterTone(frames: received)
        let concealed = concealer.conceal(count: frame)
        XCTAssertEqual(concealed.count, frame)

        // Energy mostly at 500 Hz: the tone's share of the frame's energy.
        let toneAmplitude = AudioTestTones.amplitude(of: concealed, at: 500, sampleRate: 8_000)
        let toneEnergy = toneAmplitude * toneAmplitude / 2 * Double(frame)
        XCTAssertGreaterThan(toneEnergy / AudioTestTones.energy(concealed), 0.8)
        XCTAssertGreaterThan(toneAmplitude, amplitude * 0.5)

        // No click. spandsp joins by cross-fading from the mirrored last quarter pitch period,
        // so the synthetic wave is continuous in value, not phase-exact: the first concealed
        // sample is within one sample's worth of movement of the true continuation, and no
        // step across the join is steeper than the tone itself (2π·500/8000 ≈ 0.39 × amplitude).
        let steepestStep = 2 * Double.pi * 500 / 8_000 * amplitude
        let continuation = toneFrame(received)
        XCTAssertLessThan(abs(Double(concealed[0]) - Double(continuation[0])), steepestStep)
        let lastReceived = toneFrame(received - 1).last!
        let join = [lastReceived] + concealed.prefix(frame / 2)
        for index in 1..<join.count {
            let step = abs(Double(join[index]) - Double(join[index - 1]))
            XCTAssertLessThanOrEqual(step, steepestStep * 1.05, "step into concealed sample \(index - 1)")
        }
    }

    func testLongLossFadesTowardsSilence() {
        let concealer = concealerAfterTone(frames: 10)
        let energies = (0..<8).map { _ in AudioTestTones.energy(concealer.conceal(count: frame)) }
        XCTAssertGreaterThan(energies[0], 0)
        for index in 4..<energies.count {
            XCTAssertLessThan(energies[index], energies[0] * 0.01, "frame \(index + 1) of the loss")
        }
    }

    func testFirstGoodFrameAfterLossIsJoinedSmoothly() {
        let concealer = concealerAfterTone(frames: 10)
        let concealed = concealer.conceal(count: frame)
        let original = toneFrame(11)
        let joined = concealer.received(original)
        XCTAssertEqual(joined.count, frame)
        // The tail is the real audio; the start is a blend, close to both signals.
        XCTAssertEqual(joined.suffix(frame / 2), original.suffix(frame / 2))
        let step = abs(Int(joined[0]) - Int(concealed[frame - 1]))
        // A 500 Hz sine moves at most 2π·500/8000 ≈ 0.4 of its amplitude per sample.
        XCTAssertLessThan(Double(step), amplitude * 0.5)
    }

    func testBufferAPIAndReset() {
        let concealer = concealerAfterTone(frames: 10)
        var buffer = [Int16](repeating: 0, count: frame)
        buffer.withUnsafeMutableBufferPointer { concealer.conceal(into: $0) }
        XCTAssertGreaterThan(AudioTestTones.energy(buffer), 0)

        // After a reset there is no history to continue: concealment is silence.
        concealer.reset()
        XCTAssertEqual(concealer.conceal(count: frame), [Int16](repeating: 0, count: frame))
        // Empty buffers are ignored.
        XCTAssertEqual(concealer.conceal(count: 0), [])
        XCTAssertEqual(concealer.received([]), [])
    }
}
