import ChorusMixer
import XCTest

/// The prompt tones: their notes, their fades and how they repeat.
final class PromptToneTests: XCTestCase {
    private func samples(_ tone: PromptTone, fromMs start: Int, toMs end: Int) -> [Int16] {
        Array(tone.samples[(start * 48)..<(end * 48)])
    }

    /// Amplitude at `frequency` relative to the strongest of a set of other candidate frequencies.
    private func assertPeaks(at frequency: Double, in samples: [Int16], over others: [Double], file: StaticString = #filePath, line: UInt = #line) {
        let wanted = toneAmplitude(frequency, in: samples)
        XCTAssertGreaterThan(wanted, 0.02, "\(frequency) Hz is there", file: file, line: line)
        for other in others where other != frequency {
            XCTAssertGreaterThan(wanted, 10 * toneAmplitude(other, in: samples), "\(frequency) Hz over \(other) Hz", file: file, line: line)
        }
    }

    private let candidates: [Double] = [400, 440, 660, 800, 880, 1000]

    func testEachToneSoundsAtItsFrequencies() {
        assertPeaks(at: 660, in: samples(.join, fromMs: 0, toMs: 80), over: candidates)
        assertPeaks(at: 880, in: samples(.join, fromMs: 80, toMs: 160), over: candidates)
        assertPeaks(at: 880, in: samples(.leave, fromMs: 0, toMs: 80), over: candidates)
        assertPeaks(at: 660, in: samples(.leave, fromMs: 80, toMs: 160), over: candidates)
        assertPeaks(at: 1000, in: PromptTone.confirm.samples, over: candidates)
        assertPeaks(at: 400, in: samples(.error, fromMs: 0, toMs: 100), over: candidates)
        assertPeaks(at: 400, in: samples(.error, fromMs: 160, toMs: 260), over: candidates)
        assertPeaks(at: 800, in: PromptTone.lobbyPrompt.samples, over: candidates)
        assertPeaks(at: 440, in: PromptTone.waiting.samples, over: candidates)
    }

    func testLengthsAndLevels() {
        XCTAssertEqual(PromptTone.join.samples.count, 160 * 48)
        XCTAssertEqual(PromptTone.confirm.samples.count, 120 * 48)
        XCTAssertEqual(PromptTone.error.samples.count, 260 * 48)
        XCTAssertEqual(PromptTone.waiting.samples.count, 300 * 48)
        for tone in PromptTone.allCases {
            let peak = tone.samples.map { abs(Int($0)) }.max() ?? 0
            // -20 dBFS is 3277; the waiting tone is 6 dB softer.
            XCTAssertLessThanOrEqual(peak, 3277, "\(tone)")
            XCTAssertGreaterThan(peak, 1500, "\(tone)")
        }
        // Error's two beeps are separated by real silence.
        XCTAssertTrue(samples(.error, fromMs: 100, toMs: 160).allSatisfy { $0 == 0 })
    }

    func testNoClicks() {
        for tone in PromptTone.allCases {
            let samples = tone.samples
            XCTAssertEqual(samples.first, 0, "\(tone) starts at zero")
            XCTAssertEqual(samples.last, 0, "\(tone) ends at zero")
            // A clean sine of 1000 Hz at -20 dBFS moves at most 2π·1000/48000·3277 ≈ 429 per sample.
            let largestStep = zip(samples, samples.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
            XCTAssertLessThan(largestStep, 440, "\(tone)")
            // The fade: the first 2 ms stay well below full tone level.
            let onset = samples[0..<96].map { abs(Int($0)) }.max() ?? 0
            XCTAssertLessThan(onset, 1500, "\(tone) fades in")
        }
    }
}
