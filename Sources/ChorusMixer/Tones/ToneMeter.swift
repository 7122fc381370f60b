#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How much of one frequency a block of 16-bit samples holds: one DFT bin by the Goertzel
/// recurrence, O(n) with no table. The audio checks of the tests and of `chorus-load` (who hears
/// which talker's tone) are built on it.
public enum ToneMeter {
    /// The window applied to a block before the bin is taken.
    public enum Window: Sendable {
        /// None: exact for a tone with a whole number of cycles in the block.
        case rectangular
        /// Hann: a tone a few bins away barely leaks in, at the price of a wider main lobe.
        case hann
    }

    /// |X(f)|², the squared magnitude of the `frequency` bin of `samples` (in sample units²).
    public static func power(
        of frequency: Double, in samples: some Collection<Int16>, sampleRate: Double = 48_000, window: Window = .rectangular
    ) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        let lastIndex = Double(max(samples.count - 1, 1))
        var previous = 0.0, beforePrevious = 0.0
        for (index, sample) in samples.enumerated() {
            let weight =
                switch window {
                case .rectangular: 1.0
                case .hann: 0.5 - 0.5 * cos(2 * Double.pi * Double(index) / lastIndex)
                }
            let current = Double(sample) * weight + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        // Rounding can leave a hair below zero for a bin with nothing in it.
        return max(0, previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious)
    }

    /// The amplitude of the `frequency` component of `samples`, relative to full scale (a full-scale
    /// sine reads 1): 2|X(f)| over the window's sum.
    public static func amplitude(
        of frequency: Double, in samples: some Collection<Int16>, sampleRate: Double = 48_000, window: Window = .rectangular
    ) -> Double {
        guard samples.count > 1 else { return 0 }
        // Σ of the Hann window over N points (0.5 − 0.5·cos(2πn/(N−1))) is (N−1)/2.
        let windowSum = window == .hann ? Double(samples.count - 1) / 2 : Double(samples.count)
        return 2 * power(of: frequency, in: samples, sampleRate: sampleRate, window: window).squareRoot() / windowSum / 32_767
    }

    /// The mean Hann-windowed power of the `frequency` bin over consecutive blocks of
    /// `blockLength` samples (a tail shorter than a block is left out; no whole block: 0).
    ///
    /// For recordings of a network call: concealment or time-stretching shifts a tone's phase,
    /// and one long sum across such a jump would cancel itself.
    public static func meanBlockPower(
        of frequency: Double, in samples: some RandomAccessCollection<Int16>, blockLength: Int, sampleRate: Double = 48_000
    ) -> Double {
        precondition(blockLength > 1, "a block needs at least two samples")
        var total = 0.0
        var blocks = 0
        var start = samples.startIndex
        while samples.distance(from: start, to: samples.endIndex) >= blockLength {
            let end = samples.index(start, offsetBy: blockLength)
            total += power(of: frequency, in: samples[start..<end], sampleRate: sampleRate, window: .hann)
            blocks += 1
            start = end
        }
        return blocks == 0 ? 0 : total / Double(blocks)
    }
}
