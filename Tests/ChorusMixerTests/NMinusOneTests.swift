import ChorusMixer
import XCTest

final class NMinusOneTests: XCTestCase {
    private let frequencies = [440.0, 700.0, 1100.0]

    /// Three talkers with distinct tones and one silent listener, after one tick.
    private func mixThreeTalkersAndListener() -> (ConferenceMixer, [MixerSlot], MixerSlot, [[Int16]]) {
        let mixer = ConferenceMixer()
        let talkers = (0..<3).map { _ in mixer.addParticipant() }
        let listener = mixer.addParticipant()
        let tones = self.frequencies.map { toneFrame(frequency: $0, amplitude: 0.2) }
        for (talker, tone) in zip(talkers, tones) {
            mixer.feed(talker, tone)
        }
        mixer.feed(listener, silentFrame)
        mixer.mix()
        return (mixer, talkers, listener, tones)
    }

    func testEachTalkerHearsTheOtherTonesButNotTheirOwn() {
        let (mixer, talkers, _, _) = self.mixThreeTalkersAndListener()
        for (position, talker) in talkers.enumerated() {
            let heard = mixer.heard(by: talker)
            for (other, frequency) in self.frequencies.enumerated() {
                let amplitude = toneAmplitude(frequency, in: heard)
                if other == position {
                    XCTAssertLessThan(amplitude, 0.2 * 0.01, "\(talker) hears their own \(frequency) Hz")
                } else {
                    XCTAssertEqual(amplitude, 0.2, accuracy: 0.2 * 0.05, "\(talker) misses \(frequency) Hz")
                }
            }
        }
    }

    func testTalkerOutputIsExactlyTheSumOfTheOthers() {
        let (mixer, talkers, _, tones) = self.mixThreeTalkersAndListener()
        let expected = [sum(tones[1], tones[2]), sum(tones[0], tones[2]), sum(tones[0], tones[1])]
        for (talker, expectedSum) in zip(talkers, expected) {
            XCTAssertEqual(mixer.output(for: talker), .individual)
            XCTAssertEqual(mixer.heard(by: talker).map(Int32.init), expectedSum)
        }
    }

    func testSilentListenerHearsTheSharedMixOfAllTalkers() {
        let (mixer, talkers, listener, tones) = self.mixThreeTalkersAndListener()
        XCTAssertEqual(mixer.output(for: listener), .shared)
        let heard = mixer.heard(by: listener)
        XCTAssertEqual(heard.map(Int32.init), sum(tones[0], tones[1], tones[2]))
        XCTAssertEqual(heard, mixer.sharedMix)
        for frequency in self.frequencies {
            XCTAssertEqual(toneAmplitude(frequency, in: heard), 0.2, accuracy: 0.01)
        }
        XCTAssertEqual(Set(mixer.activeSpeakers), Set(talkers))
    }

    func testAllSharedListenersGetTheSameBuffer() {
        let mixer = ConferenceMixer()
        let talker = mixer.addParticipant()
        let otherTalker = mixer.addParticipant()
        let listeners = (0..<5).map { _ in mixer.addParticipant() }
        mixer.feed(talker, toneFrame(frequency: 440, amplitude: 0.2))
        mixer.feed(otherTalker, toneFrame(frequency: 700, amplitude: 0.2))
        mixer.mix()
        let sharedAddress = mixer.withSharedMix { $0.baseAddress }
        for listener in listeners {
            XCTAssertEqual(mixer.output(for: listener), .shared)
            XCTAssertEqual(mixer.withOutputFrame(for: listener) { $0.baseAddress }, sharedAddress)
            XCTAssertEqual(mixer.heard(by: listener), mixer.sharedMix)
        }
    }

    func testLoneTalkerHearsSilenceAndOthersHearThem() {
        let mixer = ConferenceMixer()
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        let tone = toneFrame(frequency: 440, amplitude: 0.2)
        mixer.feed(talker, tone)
        mixer.mix()
        XCTAssertEqual(mixer.output(for: talker), .silence)
        XCTAssertEqual(mixer.heard(by: talker), silentFrame)
        XCTAssertEqual(mixer.output(for: listener), .shared)
        XCTAssertEqual(mixer.heard(by: listener), tone)
    }

    func testNobodyTalkingMeansSilenceForEveryone() {
        let mixer = ConferenceMixer()
        let slots = (0..<3).map { _ in mixer.addParticipant() }
        for slot in slots {
            mixer.feed(slot, silentFrame)
        }
        mixer.mix()
        for slot in slots {
            XCTAssertEqual(mixer.output(for: slot), .silence)
            XCTAssertEqual(mixer.heard(by: slot), silentFrame)
        }
        XCTAssertEqual(mixer.sharedMix, silentFrame)
        XCTAssertEqual(mixer.activeSpeakers, [])
    }
}
