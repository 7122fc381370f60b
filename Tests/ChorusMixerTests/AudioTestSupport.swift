#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ChorusMixer

/// Samples per 20 ms frame at 48 kHz, as in the default configuration.
let frameLength = 960
let sampleRate = 48_000.0

/// One frame of a sine tone; phase continues across frame numbers so consecutive frames join smoothly.
/// `amplitude` is relative to full scale (1 = 32767).
func toneFrame(frequency: Double, amplitude: Double, frame: Int = 0) -> [Int16] {
    (0..<frameLength).map { offset in
        let sampleNumber = Double(frame * frameLength + offset)
        let value = amplitude * 32767 * sin(2 * Double.pi * frequency * sampleNumber / sampleRate)
        return Int16(value.rounded())
    }
}

/// A frame of digital silence.
let silentFrame = [Int16](repeating: 0, count: frameLength)

/// Element-wise sum, in Int32 so that tests see what a sum should be before any limiting.
func sum(_ frames: [Int16]...) -> [Int32] {
    (0..<frameLength).map { index in frames.reduce(Int32(0)) { $0 + Int32($1[index]) } }
}

/// Amplitude (relative to full scale) of `frequency` in `samples`, by a Hann-windowed Goertzel filter,
/// so that neighbouring tones a few bins away barely leak in.
func toneAmplitude(_ frequency: Double, in samples: [Int16]) -> Double {
    ToneMeter.amplitude(of: frequency, in: samples, sampleRate: sampleRate, window: .hann)
}

extension ConferenceMixer {
    /// Writes a whole input frame for `slot`.
    func feed(_ slot: MixerSlot, _ samples: [Int16]) {
        self.withInputFrame(for: slot) { buffer in
            precondition(buffer.count == samples.count)
            _ = buffer.update(fromContentsOf: samples)
        }
    }

    /// A copy of what `slot` hears after the last tick.
    func heard(by slot: MixerSlot) -> [Int16] {
        self.withOutputFrame(for: slot) { Array($0) }
    }

    /// A copy of the shared mix.
    var sharedMix: [Int16] {
        self.withSharedMix { Array($0) }
    }
}
