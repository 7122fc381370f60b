#if canImport(Glibc)
import Glibc
#endif

/// Audio checks for tests: who hears which tone is decided by the energy at that frequency.
public enum AudioAnalysis {
    /// Energy at one frequency over the block (Goertzel), normalised by the block length so blocks
    /// of different sizes compare.
    public static func energy(at frequency: Double, in samples: some Collection<Int16>, sampleRate: Double = 48_000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var previous = 0.0, beforePrevious = 0.0
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        return power / Double(max(samples.count, 1))
    }

    /// A sine tone, `amplitude` of full scale.
    public static func tone(_ frequency: Double, samples: Int, amplitude: Double = 0.3, sampleRate: Double = 48_000, phase offset: Int = 0) -> [Int16] {
        (0..<samples).map { index in
            Int16(amplitude * 32767 * sin(2 * Double.pi * frequency * Double(index + offset) / sampleRate))
        }
    }

    /// Root-mean-square level.
    public static func rms(_ samples: some Collection<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sum = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (sum / Double(samples.count)).squareRoot()
    }
}
