#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Conversions between decibels and the linear quantities the hot path compares,
/// so that logarithms are only taken at configuration time or when someone asks for a level.
enum Decibels {
    /// Int16 full scale as the reference for 0 dBFS.
    static let fullScale: Float = 32768

    /// The sample magnitude of `dBFS`.
    static func amplitude(fromDBFS dBFS: Float) -> Float {
        Self.fullScale * powf(10, dBFS / 20)
    }

    /// The mean square (power) of a signal whose RMS is `dBFS`.
    static func meanSquare(fromDBFS dBFS: Float) -> Float {
        Self.fullScale * Self.fullScale * powf(10, dBFS / 10)
    }

    /// The RMS level in dBFS of a signal with this mean square; `-infinity` for silence.
    static func dBFS(fromMeanSquare meanSquare: Float) -> Float {
        guard meanSquare > 0 else { return -.infinity }
        return 10 * log10f(meanSquare / (Self.fullScale * Self.fullScale))
    }

    /// e^x, for turning time constants into per-frame factors.
    static func exponential(_ x: Float) -> Float {
        expf(x)
    }
}
