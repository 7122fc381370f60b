import ChorusMixer
import XCTest

final class ParticipantControlsTests: XCTestCase {
    func testMutedTalkerIsNotHeardButStillDetectedAsTalking() {
        let mixer = ConferenceMixer()
        let muted = mixer.addParticipant(controls: .init(muted: true))
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        mixer.feed(muted, toneFrame(frequency: 440, amplitude: 0.2))
        mixer.feed(talker, toneFrame(frequency: 1100, amplitude: 0.2))
        mixer.mix()

        XCTAssertTrue(mixer.isTalking(muted))
        XCTAssertEqual(mixer.activeSpeakers, [talker])
        for slot in [talker, listener] {
            XCTAssertLessThan(toneAmplitude(440, in: mixer.heard(by: slot)), 0.002)
        }
        XCTAssertEqual(toneAmplitude(1100, in: mixer.heard(by: muted)), 0.2, accuracy: 0.01)
        XCTAssertEqual(mixer.output(for: muted), .shared, "a muted talker is a plain listener")
    }

    func testDeafParticipantHearsNothingButIsHeard() {
        let mixer = ConferenceMixer()
        let deaf = mixer.addParticipant(controls: .init(deaf: true))
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        mixer.feed(deaf, toneFrame(frequency: 440, amplitude: 0.2))
        mixer.feed(talker, toneFrame(frequency: 1100, amplitude: 0.2))
        mixer.mix()

        XCTAssertEqual(mixer.output(for: deaf), .silence)
        XCTAssertEqual(mixer.heard(by: deaf), silentFrame)
        XCTAssertEqual(toneAmplitude(440, in: mixer.heard(by: talker)), 0.2, accuracy: 0.01)
        XCTAssertEqual(toneAmplitude(440, in: mixer.heard(by: listener)), 0.2, accuracy: 0.01)
    }

    func testInputGainScalesTheContribution() {
        let mixer = ConferenceMixer()
        let quiet = mixer.addParticipant(controls: .init(inputGain: 0.5))
        let loud = mixer.addParticipant(controls: .init(inputGain: 2))
        let listener = mixer.addParticipant()
        let quietTone = toneFrame(frequency: 440, amplitude: 0.2)
        let loudTone = toneFrame(frequency: 1100, amplitude: 0.1)
        mixer.feed(quiet, quietTone)
        mixer.feed(loud, loudTone)
        mixer.mix()

        XCTAssertEqual(mixer.level(of: quiet), -23.0, accuracy: 0.1, "0.2 sine (-17 dBFS) at -6 dB")
        XCTAssertEqual(mixer.level(of: loud), -17.0, accuracy: 0.1, "0.1 sine (-23 dBFS) at +6 dB")
        let heardByListener = mixer.heard(by: listener)
        for index in 0..<frameLength {
            let expected = Double(quietTone[index]) * 0.5 + Double(loudTone[index]) * 2
            XCTAssertEqual(Double(heardByListener[index]), expected, accuracy: 1.01)
        }
        // N-1 removes exactly the scaled voice.
        let heardByQuiet = mixer.heard(by: quiet)
        for index in 0..<frameLength {
            XCTAssertEqual(Double(heardByQuiet[index]), Double(loudTone[index]) * 2, accuracy: 0.51)
        }
    }

    func testOutputGainGivesAnIndividualScaledCopy() {
        let mixer = ConferenceMixer()
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        let halfListener = mixer.addParticipant(controls: .init(outputGain: 0.5))
        let tone = toneFrame(frequency: 440, amplitude: 0.2)
        mixer.feed(talker, tone)
        mixer.mix()

        XCTAssertEqual(mixer.output(for: listener), .shared)
        XCTAssertEqual(mixer.output(for: halfListener), .individual)
        let heard = mixer.heard(by: halfListener)
        for index in 0..<frameLength {
            XCTAssertEqual(Double(heard[index]), Double(tone[index]) * 0.5, accuracy: 0.51)
        }
        XCTAssertEqual(mixer.heard(by: listener), tone, "the shared mix is not affected")
    }

    func testControlsTakeEffectOnTheNextTickAndGainsAreClamped() {
        let mixer = ConferenceMixer()
        let talker = mixer.addParticipant()
        let listener = mixer.addParticipant()
        let tone = toneFrame(frequency: 440, amplitude: 0.01)
        let controls = ParticipantControls(inputGain: 1000)
        mixer.setControls(controls, for: talker)
        XCTAssertEqual(mixer.controls(for: talker), controls)
        mixer.feed(talker, tone)
        mixer.mix()
        XCTAssertEqual(
            toneAmplitude(440, in: mixer.heard(by: listener)), 0.01 * Double(ParticipantControls.maximumGain),
            accuracy: 0.005)

        mixer.setControls(.init(muted: true), for: talker)
        mixer.feed(talker, tone)
        mixer.mix()
        XCTAssertEqual(mixer.output(for: listener), .silence)
    }
}
