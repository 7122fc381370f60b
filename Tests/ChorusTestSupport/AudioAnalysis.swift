import ChorusMixer

#if canImport(Glibc)
import Glibc
#endif

/// Audio checks for tests: who hears which tone is decided by the energy at that frequency.
public enum AudioAnalysis {
    /// Energy at one frequency over the block (Goertzel), normalised by the block length so blocks
    /// of different sizes compare.
    public static func energy(at frequency: Double, in samples: some Collection<Int16>, sampleRate: Double = 48_000) -> Double {
        ToneMeter.power(of: frequency, in: samples, sampleRate: sampleRate) / Double(max(samples.count, 1))
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

    /// How far `test` is from `reference`, sample by sample: their energy ratio to the difference's, in dB.
    public static func signalToDifference(_ reference: some Collection<Int16>, _ test: some Collection<Int16>) -> Double {
        var signal = 0.0, error = 0.0
        for (a, b) in zip(reference, test) {
            signal += Double(a) * Double(a)
            error += (Double(a) - Double(b)) * (Double(a) - Double(b))
        }
        return 10 * log10((signal + 1e-9) / (error + 1e-9))
    }
}
