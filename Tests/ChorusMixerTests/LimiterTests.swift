import ChorusMixer
import XCTest

final class LimiterTests: XCTestCase {
    /// -1 dBFS, the default threshold, as a sample value.
    private let threshold = 29204

    /// What a listener and one talker heard, frame by frame, next to what the mix would be unlimited.
    private struct Recording: Sendable {
        var listener: [[Int16]] = []
        var talker: [[Int16]] = []
        var unlimitedSum: [[Int32]] = []
    }

    /// Ten participants sending the same (in-phase) tone frame by frame, and one silent listener.
    private static func record(
        frames: Range<Int>,
        frequency: Double,
        amplitude: (Int) -> Double
    ) -> Recording {
        let mixer = ConferenceMixer()
        let talkers = (0..<10).map { _ in mixer.addParticipant() }
        let listener = mixer.addParticipant()
        var recording = Recording()
        for frame in frames {
            let tone = toneFrame(frequency: frequency, amplitude: amplitude(frame), frame: frame)
            for talker in talkers {
                mixer.feed(talker, tone)
            }
            mixer.mix()
            recording.listener.append(mixer.heard(by: listener))
            recording.talker.append(mixer.heard(by: talkers[0]))
            recording.unlimitedSum.append(tone.map { Int32($0) * 10 })
        }
        return recording
    }

    /// Least-squares gain between what was heard and the unlimited sum over one frame.
    private func gain(of heard: [Int16], relativeTo unlimited: [Int32]) -> Double {
        var product = 0.0
        var energy = 0.0
        for (output, input) in zip(heard, unlimited) {
            product += Double(output) * Double(input)
            energy += Double(input) * Double(input)
        }
        return product / energy
    }

    /// 450 Hz fits exactly 9 cycles in a frame, so the loud-to-quiet switch at a frame boundary
    /// happens at a zero crossing and the signal itself makes no jump there.
    private static let loudThenQuietRecording = LimiterTests.record(frames: 0..<90, frequency: 450) { frame in
        frame < 15 ? 1.0 : 0.02
    }

    private func loudThenQuiet() -> Recording {
        Self.loudThenQuietRecording
    }

    func testTenFullScaleTalkersNeverExceedTheThresholdOrWrap() {
        let recording = self.loudThenQuiet()
        for (frame, (heard, unlimited)) in zip(recording.listener, recording.unlimitedSum).enumerated() {
            for (output, input) in zip(heard, unlimited) {
                XCTAssertLessThanOrEqual(abs(Int(output)), self.threshold + 1, "frame \(frame)")
                if output != 0 {
                    XCTAssertEqual(output.signum(), Int16(input.signum()), "frame \(frame) wrapped")
                }
            }
        }
        for heard in recording.talker {
            XCTAssertLessThanOrEqual(heard.map { abs(Int($0)) }.max()!, self.threshold + 1, "N-1 is limited too")
        }
        XCTAssertGreaterThan(recording.listener[5].map { abs(Int($0)) }.max()!, self.threshold - 100, "uses the headroom")
    }

    func testNoClicksAtFrameBoundaries() {
        let recording = self.loudThenQuiet()
        for output in [recording.listener, recording.talker] {
            let samples = output.flatMap { $0 }
            var largestStepWithinFrames = 0
            var largestStepAtBoundaries = 0
            for index in 1..<samples.count {
                let step = abs(Int(samples[index]) - Int(samples[index - 1]))
                if index % frameLength == 0 {
                    largestStepAtBoundaries = max(largestStepAtBoundaries, step)
                } else {
                    largestStepWithinFrames = max(largestStepWithinFrames, step)
                }
            }
            XCTAssertLessThanOrEqual(largestStepAtBoundaries, largestStepWithinFrames + 2)
        }
    }

    func testGainDoesNotStepAtFrameBoundaries() {
        // 440 Hz does not fit a frame, so most boundaries fall on large samples, where a gain
        // step would be heard as a click; the loud-to-quiet switch tests the start of release.
        let recording = Self.record(frames: 0..<40, frequency: 440) { frame in frame < 15 ? 1.0 : 0.05 }
        let tenthTalkersSum = recording.unlimitedSum.map { frame in frame.map { $0 / 10 * 9 } }
        for (output, unlimited) in [(recording.listener, recording.unlimitedSum), (recording.talker, tenthTalkersSum)] {
            for frame in 1..<output.count {
                let before = unlimited[frame - 1][frameLength - 1]
                let after = unlimited[frame][0]
                guard abs(before) > 2000 && abs(after) > 2000 else { continue }
                let gainBefore = Double(output[frame - 1][frameLength - 1]) / Double(before)
                let gainAfter = Double(output[frame][0]) / Double(after)
                XCTAssertEqual(gainAfter, gainBefore, accuracy: 0.003, "gain step into frame \(frame)")
            }
        }
    }

    func testGainRecoversToUnityAfterTheLoudPart() {
        let recording = self.loudThenQuiet()
        let gains = zip(recording.listener, recording.unlimitedSum).map { self.gain(of: $0, relativeTo: $1) }
        XCTAssertEqual(gains[10], 29204.0 / 327670.0, accuracy: 0.002, "limited to the threshold")
        for frame in 16..<gains.count {
            XCTAssertGreaterThanOrEqual(gains[frame], gains[frame - 1] - 1e-4, "release is monotonic")
        }
        XCTAssertLessThan(gains[15], 0.3, "release is gradual, not a jump")
        XCTAssertLessThan(gains[20], 0.7, "release is gradual, not a jump")
        XCTAssertEqual(recording.listener.last!.map(Int32.init), recording.unlimitedSum.last!, "back to exact")
    }

    func testSteadyLoudInputGetsASteadyGain() {
        // 440 Hz does not fit a frame, so frame peaks differ slightly, as with real signals.
        let recording = Self.record(frames: 0..<30, frequency: 440) { _ in 1.0 }
        let gains = zip(recording.listener, recording.unlimitedSum).dropFirst(2).map {
            self.gain(of: $0, relativeTo: $1)
        }
        let spread = gains.max()! - gains.min()!
        XCTAssertLessThan(spread / gains.min()!, 0.002, "gain moves frame to frame: pumping")
    }

    func testOutputGainIsLimitedToo() {
        let mixer = ConferenceMixer()
        let talker = mixer.addParticipant()
        let otherTalker = mixer.addParticipant()
        let loudListener = mixer.addParticipant(controls: .init(outputGain: 16))
        mixer.setControls(.init(outputGain: 16), for: talker)
        for frame in 0..<3 {
            mixer.feed(talker, toneFrame(frequency: 440, amplitude: 0.2, frame: frame))
            mixer.feed(otherTalker, toneFrame(frequency: 700, amplitude: 0.2, frame: frame))
            mixer.mix()
            for slot in [talker, loudListener] {
                XCTAssertEqual(mixer.output(for: slot), .individual)
                let peak = mixer.heard(by: slot).map { abs(Int($0)) }.max()!
                XCTAssertLessThanOrEqual(peak, self.threshold + 1)
                XCTAssertGreaterThan(peak, self.threshold - 200)
            }
        }
    }

    func testOnsetInTheMiddleOfAFrameIsCaught() {
        let mixer = ConferenceMixer()
        let talkers = (0..<10).map { _ in mixer.addParticipant() }
        let listener = mixer.addParticipant()
        let quiet = toneFrame(frequency: 450, amplitude: 0.02, frame: 0)
        for talker in talkers {
            mixer.feed(talker, quiet)
        }
        mixer.mix()
        var burst = toneFrame(frequency: 450, amplitude: 0.02, frame: 1)
        let loud = toneFrame(frequency: 450, amplitude: 1.0, frame: 1)
        burst.replaceSubrange(500..., with: loud[500...])
        for talker in talkers {
            mixer.feed(talker, burst)
        }
        mixer.mix()
        let heard = mixer.heard(by: listener)
        XCTAssertLessThanOrEqual(heard.map { abs(Int($0)) }.max()!, self.threshold + 1)
    }
}
