import ChorusMixer
import XCTest

/// Playing tones frame by frame: one-shots end, prompts repeat, adding saturates.
final class TonePlayerTests: XCTestCase {
    /// Plays `frames` frames of 960 samples onto silence and returns them back to back.
    private func play(_ player: inout TonePlayer, frames: Int) -> [Int16] {
        var output: [Int16] = []
        var frame = [Int16](repeating: 0, count: 960)
        for _ in 0..<frames {
            frame.withUnsafeMutableBufferPointer { buffer in
                buffer.update(repeating: 0)
                player.mix(into: buffer)
            }
            output += frame
        }
        return output
    }

    func testAOneShotPlaysOnceAcrossFramesAndFinishes() {
        var player = TonePlayer(.confirm)
        XCTAssertFalse(player.isFinished)
        let output = play(&player, frames: 10)
        XCTAssertTrue(player.isFinished, "120 ms fit in 10 frames")
        XCTAssertEqual(Array(output[0..<5760]), PromptTone.confirm.samples)
        XCTAssertTrue(output[5760...].allSatisfy { $0 == 0 })
    }

    func testFinishedIsReportedByTheFrameThatEndsIt() {
        var player = TonePlayer(.join)
        var frame = [Int16](repeating: 0, count: 960)
        var finishedAfter: [Bool] = []
        for _ in 0..<9 {
            finishedAfter.append(frame.withUnsafeMutableBufferPointer { player.mix(into: $0) })
        }
        // 160 ms are exactly 8 frames.
        XCTAssertEqual(finishedAfter, [false, false, false, false, false, false, false, true, true])
    }

    func testPromptsRepeatAtTheirInterval() {
        for (tone, periodMs) in [(PromptTone.lobbyPrompt, 4000), (PromptTone.waiting, 3000)] {
            XCTAssertEqual(tone.repeatIntervalSamples, periodMs * 48)
            var player = TonePlayer(tone, repeats: true)
            let output = play(&player, frames: (2 * periodMs + 500) / 20)
            XCTAssertFalse(player.isFinished)
            let period = periodMs * 48
            let length = tone.samples.count
            for start in [0, period, 2 * period] {
                XCTAssertEqual(Array(output[start..<(start + length)]), tone.samples, "\(tone) at \(start)")
            }
            XCTAssertTrue(output[length..<period].allSatisfy { $0 == 0 }, "\(tone): quiet between plays")
            XCTAssertTrue(output[(period + length)..<(2 * period)].allSatisfy { $0 == 0 })
        }
    }

    func testAdvanceSkipsLikePlaying() {
        var played = TonePlayer(.lobbyPrompt, repeats: true)
        var skipped = played
        _ = play(&played, frames: 207)
        for _ in 0..<207 { skipped.advance(by: 960) }
        XCTAssertEqual(play(&played, frames: 3), play(&skipped, frames: 3))
        var oneShot = TonePlayer(.error)
        oneShot.advance(by: 1_000_000)
        XCTAssertTrue(oneShot.isFinished)
    }

    func testMixingAddsAndSaturates() {
        var player = TonePlayer(.confirm)
        var frame = [Int16](repeating: 32000, count: 960)
        frame.replaceSubrange(480..<960, with: repeatElement(-32000, count: 480))
        _ = frame.withUnsafeMutableBufferPointer { player.mix(into: $0) }
        let tone = PromptTone.confirm.samples
        for index in 0..<960 {
            let expected = Int16(clamping: Int32(index < 480 ? 32000 : -32000) + Int32(tone[index]))
            XCTAssertEqual(frame[index], expected, "sample \(index)")
        }
        XCTAssertTrue(frame.contains(Int16.max), "clipped high instead of wrapping")
        XCTAssertTrue(frame.contains(Int16.min), "clipped low instead of wrapping")
    }
}
