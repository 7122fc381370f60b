#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// Who-hears-whom checks on recordings: tone levels relative to a phone's own sending level.
public enum ConferenceAudioCheck {
    /// Amplitude of the tones test participants send (of full scale).
    public static let toneAmplitude = 0.25
    /// The distinct tones three test participants send: apart enough for Goertzel, under
    /// G.711's 3.4 kHz.
    public static let tones: [Double] = [500, 800, 1300]

    /// The level of `frequency` in `samples`, in dB relative to a tone of ``toneAmplitude``.
    public static func level(of frequency: Double, in samples: [Int16], sampleRate: Int) -> Double {
        let reference = AudioAnalysis.tone(frequency, samples: samples.count, amplitude: toneAmplitude, sampleRate: Double(sampleRate))
        let heard = AudioAnalysis.energy(at: frequency, in: samples, sampleRate: Double(sampleRate))
        let full = AudioAnalysis.energy(at: frequency, in: reference, sampleRate: Double(sampleRate))
        return 10 * log10(max(heard, 1e-9) / full)
    }

    /// Asserts that the recording holds each tone of `heard` (within 15 dB of the sent level)
    /// and none of `silent` (35 dB or more below).
    public static func assertHears(
        _ recording: [Int16], sampleRate: Int, heard: [Double], silent: [Double], _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertGreaterThan(recording.count, sampleRate / 2, "\(label) received audio", file: file, line: line)
        for tone in heard {
            let level = level(of: tone, in: recording, sampleRate: sampleRate)
            XCTAssertGreaterThan(level, -15, "\(label) hears \(tone) Hz (level \(level) dB)", file: file, line: line)
        }
        for tone in silent {
            let level = level(of: tone, in: recording, sampleRate: sampleRate)
            XCTAssertLessThan(level, -35, "\(label) does not hear \(tone) Hz (level \(level) dB)", file: file, line: line)
        }
    }
}
