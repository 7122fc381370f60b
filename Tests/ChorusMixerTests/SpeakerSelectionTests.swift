import ChorusMixer
import XCTest

final class SpeakerSelectionTests: XCTestCase {
    func testOnlyTheLoudestTalkersAreMixed() {
        let mixer = ConferenceMixer(configuration: .init(maximumMixedSpeakers: 2))
        let quietest = mixer.addParticipant()
        let loudest = mixer.addParticipant()
        let middle = mixer.addParticipant()
        let listener = mixer.addParticipant()
        mixer.feed(quietest, toneFrame(frequency: 440, amplitude: 0.05))
        mixer.feed(loudest, toneFrame(frequency: 700, amplitude: 0.3))
        mixer.feed(middle, toneFrame(frequency: 1100, amplitude: 0.15))
        mixer.mix()

        XCTAssertEqual(mixer.activeSpeakers, [loudest, middle])
        XCTAssertTrue(mixer.isTalking(quietest), "detected, just not mixed")
        let heard = mixer.heard(by: listener)
        XCTAssertLessThan(toneAmplitude(440, in: heard), 0.001)
        XCTAssertEqual(toneAmplitude(700, in: heard), 0.3, accuracy: 0.01)
        XCTAssertEqual(toneAmplitude(1100, in: heard), 0.15, accuracy: 0.01)
        XCTAssertEqual(mixer.output(for: quietest), .shared, "an unmixed talker hears the shared mix")
        XCTAssertEqual(mixer.output(for: loudest), .individual)
    }

    func testActiveSpeakersAreLoudestFirst() {
        let mixer = ConferenceMixer()
        let slots = (0..<4).map { _ in mixer.addParticipant() }
        for (slot, amplitude) in zip(slots, [0.1, 0.4, 0.05, 0.2]) {
            mixer.feed(slot, toneFrame(frequency: 440, amplitude: amplitude))
        }
        mixer.mix()
        XCTAssertEqual(mixer.activeSpeakers, [slots[1], slots[3], slots[0], slots[2]])
    }

    func testFreedSlotsAreReused() {
        let mixer = ConferenceMixer()
        let first = mixer.addParticipant()
        let second = mixer.addParticipant(controls: .init(muted: true))
        let third = mixer.addParticipant()
        XCTAssertEqual(Set([first.index, second.index, third.index]).count, 3)
        mixer.feed(second, toneFrame(frequency: 440, amplitude: 0.2))
        mixer.mix()
        XCTAssertTrue(mixer.isTalking(second))

        mixer.removeParticipant(second)
        XCTAssertEqual(mixer.participantCount, 2)
        let newcomer = mixer.addParticipant()
        XCTAssertEqual(newcomer, second, "the freed slot is handed out again")
        XCTAssertEqual(mixer.participantCount, 3)
        // Nothing of the previous holder survives.
        XCTAssertEqual(mixer.controls(for: newcomer), ParticipantControls())
        XCTAssertFalse(mixer.isTalking(newcomer))
        XCTAssertEqual(mixer.output(for: newcomer), .silence)
        XCTAssertEqual(mixer.level(of: newcomer), -.infinity)
    }

    func testRemovingAContributorTakesThemOutOfTheMix() {
        let mixer = ConferenceMixer()
        let talkers = (0..<3).map { _ in mixer.addParticipant() }
        let listener = mixer.addParticipant()
        let frequencies = [440.0, 700.0, 1100.0]
        for (talker, frequency) in zip(talkers, frequencies) {
            mixer.feed(talker, toneFrame(frequency: frequency, amplitude: 0.2))
        }
        mixer.mix()
        // Removed between ticks, with their next frame already written.
        for (talker, frequency) in zip(talkers, frequencies) {
            mixer.feed(talker, toneFrame(frequency: frequency, amplitude: 0.2, frame: 1))
        }
        mixer.removeParticipant(talkers[1])
        XCTAssertEqual(Set(mixer.activeSpeakers), [talkers[0], talkers[2]])
        mixer.mix()

        let first = toneFrame(frequency: 440, amplitude: 0.2, frame: 1)
        let third = toneFrame(frequency: 1100, amplitude: 0.2, frame: 1)
        XCTAssertEqual(mixer.heard(by: talkers[0]), third)
        XCTAssertEqual(mixer.heard(by: talkers[2]), first)
        XCTAssertEqual(mixer.heard(by: listener).map(Int32.init), sum(first, third))
    }

    func testRoomOfFiveHundredWithThreeTalkers() {
        let mixer = ConferenceMixer()
        let slots = (0..<500).map { _ in mixer.addParticipant() }
        XCTAssertEqual(mixer.participantCount, 500)
        let talkerSlots = [slots[7], slots[250], slots[499]]
        let tones = [440.0, 700.0, 1100.0].map { toneFrame(frequency: $0, amplitude: 0.2) }
        for slot in slots {
            mixer.feed(slot, silentFrame)
        }
        for (slot, tone) in zip(talkerSlots, tones) {
            mixer.feed(slot, tone)
        }
        mixer.mix()

        XCTAssertEqual(Set(mixer.activeSpeakers), Set(talkerSlots))
        let everything = sum(tones[0], tones[1], tones[2])
        XCTAssertEqual(mixer.sharedMix.map(Int32.init), everything)
        let sharedListeners = slots.filter { mixer.output(for: $0) == .shared }
        XCTAssertEqual(sharedListeners.count, 497)
        XCTAssertTrue(Set(sharedListeners).isDisjoint(with: talkerSlots))
        let sharedAddress = mixer.withSharedMix { $0.baseAddress }
        for listener in sharedListeners {
            XCTAssertEqual(mixer.withOutputFrame(for: listener) { $0.baseAddress }, sharedAddress)
        }
        for (position, talker) in talkerSlots.enumerated() {
            XCTAssertEqual(mixer.output(for: talker), .individual)
            let others = tones.indices.filter { $0 != position }
            XCTAssertEqual(mixer.heard(by: talker).map(Int32.init), sum(tones[others[0]], tones[others[1]]))
        }
    }
}
