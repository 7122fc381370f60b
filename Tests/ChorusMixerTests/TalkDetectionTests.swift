import ChorusMixer
import XCTest

final class TalkDetectionTests: XCTestCase {
    /// Sine amplitude (relative to full scale) whose RMS is `dBFS`.
    private func amplitude(forDBFS dBFS: Double) -> Double {
        2.0.squareRoot() * pow(10, dBFS / 20)
    }

    private func makeMixer(attackFrames: Int = 1, hangoverFrames: Int = 3) -> ConferenceMixer {
        let settings = TalkDetectorSettings(
            startThreshold: -45, stopThreshold: -52, attackFrames: attackFrames, hangoverFrames: hangoverFrames)
        return ConferenceMixer(configuration: .init(talkDetection: settings))
    }

    /// Feeds `slot` a 440 Hz frame at `dBFS` (or nothing, for `nil`), ticks, and returns the talk state.
    private func tick(_ mixer: ConferenceMixer, _ slot: MixerSlot, dBFS: Double?, frame: Int = 0) -> Bool {
        if let dBFS {
            mixer.feed(slot, toneFrame(frequency: 440, amplitude: self.amplitude(forDBFS: dBFS), frame: frame))
        }
        mixer.mix()
        return mixer.isTalking(slot)
    }

    func testSilenceIsNotTalking() {
        let mixer = self.makeMixer()
        let slot = mixer.addParticipant()
        mixer.feed(slot, silentFrame)
        mixer.mix()
        XCTAssertFalse(mixer.isTalking(slot))
        XCTAssertEqual(mixer.level(of: slot), -.infinity)
        XCTAssertEqual(mixer.activeSpeakers, [])
    }

    func testLevelIsTheFrameRMSInDBFS() {
        let mixer = self.makeMixer()
        let slot = mixer.addParticipant()
        _ = self.tick(mixer, slot, dBFS: -30)
        XCTAssertEqual(mixer.level(of: slot), -30, accuracy: 0.1)
        _ = self.tick(mixer, slot, dBFS: nil)
        XCTAssertEqual(mixer.level(of: slot), -.infinity, "no input this tick")
    }

    func testTalkingStartsAfterAttackFrames() {
        let mixer = self.makeMixer(attackFrames: 3)
        let slot = mixer.addParticipant()
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -30))
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -30))
        XCTAssertTrue(self.tick(mixer, slot, dBFS: -30))
        XCTAssertEqual(mixer.activeSpeakers, [slot])
    }

    func testAttackNeedsConsecutiveLoudFrames() {
        let mixer = self.makeMixer(attackFrames: 2)
        let slot = mixer.addParticipant()
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -30))
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -70))
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -30))
        XCTAssertTrue(self.tick(mixer, slot, dBFS: -30))
    }

    func testTalkingContinuesThroughHangoverThenStops() {
        let mixer = self.makeMixer(hangoverFrames: 3)
        let slot = mixer.addParticipant()
        XCTAssertTrue(self.tick(mixer, slot, dBFS: -30))
        for quietFrame in 1...3 {
            XCTAssertTrue(self.tick(mixer, slot, dBFS: -60), "quiet frame \(quietFrame) is within the hangover")
            XCTAssertEqual(mixer.activeSpeakers, [slot], "hangover keeps the tail of a word in the mix")
        }
        XCTAssertFalse(self.tick(mixer, slot, dBFS: -60))
        XCTAssertEqual(mixer.activeSpeakers, [])
    }

    func testLevelsBetweenThresholdsKeepTheCurrentState() {
        let mixer = self.makeMixer(hangoverFrames: 2)
        let silent = mixer.addParticipant()
        let talker = mixer.addParticipant()
        mixer.feed(talker, toneFrame(frequency: 440, amplitude: self.amplitude(forDBFS: -30)))
        mixer.mix()
        XCTAssertTrue(mixer.isTalking(talker))
        for _ in 0..<10 {
            let between = toneFrame(frequency: 440, amplitude: self.amplitude(forDBFS: -48))
            mixer.feed(silent, between)
            mixer.feed(talker, between)
            mixer.mix()
            XCTAssertFalse(mixer.isTalking(silent), "-48 dBFS is below the start threshold")
            XCTAssertTrue(mixer.isTalking(talker), "-48 dBFS is above the stop threshold")
        }
    }

    func testMissingInputCountsTowardsHangoverAndIsNotMixed() {
        let mixer = self.makeMixer(hangoverFrames: 2)
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        XCTAssertTrue(self.tick(mixer, talker, dBFS: -30))
        // A lost packet: still talking, but there is nothing of theirs to mix.
        XCTAssertTrue(self.tick(mixer, talker, dBFS: nil))
        XCTAssertEqual(mixer.activeSpeakers, [])
        XCTAssertEqual(mixer.output(for: listener), .silence)
        // Audio again within the hangover: back in the mix at once, without a new attack.
        XCTAssertTrue(self.tick(mixer, talker, dBFS: -30, frame: 2))
        XCTAssertEqual(mixer.activeSpeakers, [talker])
        // A stream that stops for longer than the hangover stops talking.
        XCTAssertTrue(self.tick(mixer, talker, dBFS: nil))
        XCTAssertTrue(self.tick(mixer, talker, dBFS: nil))
        XCTAssertFalse(self.tick(mixer, talker, dBFS: nil))
    }

    func testReportedLevelsDriveTalkDetectionWithoutBeingMixed() {
        let mixer = self.makeMixer(hangoverFrames: 2)
        let undecoded = mixer.addParticipant()
        let listener = mixer.addParticipant()
        XCTAssertEqual(mixer.talkStartThresholdDBFS, -45)
        // A level below the start threshold is not talking; one above starts it, but nothing is mixed.
        mixer.setUndecodedInput(levelDBFS: -60, for: undecoded)
        mixer.mix()
        XCTAssertFalse(mixer.isTalking(undecoded))
        XCTAssertEqual(mixer.level(of: undecoded), -60, accuracy: 0.01)
        mixer.setUndecodedInput(levelDBFS: -20, for: undecoded)
        mixer.mix()
        XCTAssertTrue(mixer.isTalking(undecoded))
        XCTAssertFalse(mixer.isMixed(undecoded))
        XCTAssertEqual(mixer.activeSpeakers, [])
        XCTAssertEqual(mixer.output(for: listener), .silence)
        // Decoded, they are mixed at once (no new attack), and a frame wins over a level in the same tick.
        mixer.setUndecodedInput(levelDBFS: -90, for: undecoded)
        mixer.feed(undecoded, toneFrame(frequency: 440, amplitude: self.amplitude(forDBFS: -30)))
        mixer.mix()
        XCTAssertTrue(mixer.isMixed(undecoded))
        XCTAssertEqual(mixer.level(of: undecoded), -30, accuracy: 0.1)
        XCTAssertEqual(mixer.output(for: listener), .shared)
        // A reported level lasts one tick: without one, the hangover runs out.
        XCTAssertTrue(self.tick(mixer, undecoded, dBFS: nil))
        XCTAssertEqual(mixer.level(of: undecoded), -.infinity)
        XCTAssertTrue(self.tick(mixer, undecoded, dBFS: nil))
        XCTAssertFalse(self.tick(mixer, undecoded, dBFS: nil))
        // Input gain applies to reported levels too (+6 dB is twice the amplitude).
        var controls = ParticipantControls()
        controls.inputGain = 2
        mixer.setControls(controls, for: undecoded)
        mixer.setUndecodedInput(levelDBFS: -50, for: undecoded)
        mixer.mix()
        XCTAssertEqual(mixer.level(of: undecoded), -50 + 20 * log10(2), accuracy: 0.01)
        XCTAssertTrue(mixer.isTalking(undecoded))
    }

    func testReadingTheLastInputFrameDoesNotFeedTheNextTick() {
        let mixer = self.makeMixer(hangoverFrames: 5)
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        let frame = toneFrame(frequency: 440, amplitude: self.amplitude(forDBFS: -20))
        mixer.feed(talker, frame)
        mixer.mix()
        XCTAssertEqual(mixer.output(for: listener), .shared)
        XCTAssertEqual(mixer.withLastInputFrame(for: talker) { Array($0) }, frame)
        // No input this tick: still talking (hangover), but nothing of theirs to mix.
        mixer.mix()
        XCTAssertTrue(mixer.isTalking(talker))
        XCTAssertEqual(mixer.activeSpeakers, [])
        XCTAssertEqual(mixer.output(for: listener), .silence)
    }
}
