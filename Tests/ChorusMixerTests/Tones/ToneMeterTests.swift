import ChorusMixer
import XCTest

/// The Goertzel meter every audio check stands on: right amplitudes, little leakage, blocks that
/// survive a phase jump.
final class ToneMeterTests: XCTestCase {
    private func sine(_ frequency: Double, amplitude: Double, count: Int, phase: Double = 0) -> [Int16] {
        (0..<count).map { Int16((amplitude * 32_767 * sin(2 * Double.pi * frequency * Double($0) / 48_000 + phase)).rounded()) }
    }

    func testReadsTheAmplitudeOfAToneWithBothWindows() {
        // 1 kHz over 960 samples (20 ms): 20 whole cycles.
        let tone = sine(1_000, amplitude: 0.5, count: 960)
        XCTAssertEqual(ToneMeter.amplitude(of: 1_000, in: tone), 0.5, accuracy: 0.001)
        XCTAssertEqual(ToneMeter.amplitude(of: 1_000, in: tone, window: .hann), 0.5, accuracy: 0.01)
        XCTAssertEqual(ToneMeter.amplitude(of: 1_000, in: [Int16](repeating: 0, count: 960)), 0)
        XCTAssertEqual(ToneMeter.amplitude(of: 1_000, in: [Int16]()), 0)
    }

    func testTheHannWindowKeepsANeighbouringToneOut() {
        // Bins are 50 Hz apart over 20 ms. Read 3.5 bins away from a 1 kHz tone, the rectangular
        // window's side lobes let some of it through; the Hann window's fall off far faster.
        let tone = sine(1_000, amplitude: 0.5, count: 960)
        let leak = ToneMeter.amplitude(of: 1_175, in: tone)
        let leakWindowed = ToneMeter.amplitude(of: 1_175, in: tone, window: .hann)
        XCTAssertGreaterThan(leak, 0.02)
        XCTAssertLessThan(leakWindowed, leak / 5)
    }

    func testMeanBlockPowerSurvivesAPhaseJumpThatCancelsOneLongSum() {
        // Two blocks of the same tone, the second in opposite phase (as after a concealed frame):
        // one long sum nearly cancels, the block mean reads the tone.
        let block = 2_400
        let jumped = sine(1_000, amplitude: 0.3, count: block) + sine(1_000, amplitude: 0.3, count: block, phase: .pi)
        let oneBlock = ToneMeter.meanBlockPower(of: 1_000, in: sine(1_000, amplitude: 0.3, count: block), blockLength: block)
        XCTAssertEqual(ToneMeter.meanBlockPower(of: 1_000, in: jumped, blockLength: block) / oneBlock, 1, accuracy: 0.01)
        XCTAssertLessThan(ToneMeter.power(of: 1_000, in: jumped, window: .hann), oneBlock / 10)
        // A tail shorter than a block is left out; nothing whole reads 0.
        XCTAssertEqual(ToneMeter.meanBlockPower(of: 1_000, in: jumped + sine(1_000, amplitude: 1, count: 100), blockLength: block) / oneBlock, 1, accuracy: 0.01)
        XCTAssertEqual(ToneMeter.meanBlockPower(of: 1_000, in: Array(jumped.prefix(block - 1)), blockLength: block), 0)
    }
}
