import ChorusMixer
import Foundation

/// Test signals and measurements shared by the G.711, concealment and resampler tests.
enum AudioTestTones {
    /// A sine of `amplitude` (linear, full scale 32 767) at `frequency` Hz, starting at sample `start`.
    static func sine(
        frequency: Double, amplitude: Double, sampleRate: Double, count: Int, start: Int = 0
    ) -> [Int16] {
        (start..<start + count).map { index in
            Int16((amplitude * sin(2 * Double.pi * frequency * Double(index) / sampleRate)).rounded())
        }
    }

    /// The amplitude of the `frequency` component of `samples` (Goertzel: 2|X(f)|/N).
    ///
    /// Exact for a sine with a whole number of cycles in the block.
    static func amplitude<Samples: Collection>(of samples: Samples, at frequency: Double, sampleRate: Double)
        -> Double where Samples.Element == Int16
    {
        32_767 * ToneMeter.amplitude(of: frequency, in: samples, sampleRate: sampleRate)
    }

    /// Sum of squares.
    static func energy<Samples: Collection>(_ samples: Samples) -> Double where Samples.Element == Int16 {
        samples.reduce(0) { $0 + Double($1) * Double($1) }
    }

    /// 20·log10(a / b).
    static func decibels(_ a: Double, relativeTo b: Double) -> Double {
        20 * log10(max(a, 1e-9) / b)
    }
}
