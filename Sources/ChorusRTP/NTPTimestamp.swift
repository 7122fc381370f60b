/// A 64-bit NTP timestamp: seconds since 1900-01-01 in the high 32 bits, the fraction of a
/// second in the low 32 (RFC 3550 §4). Chorus passes wall-clock time in; this type never
/// reads a clock.
public struct NTPTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds between 1900-01-01 (NTP era 0) and 1970-01-01 (Unix epoch).
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(seconds: UInt32, fraction: UInt32) {
        rawValue = UInt64(seconds) << 32 | UInt64(fraction)
    }

    /// From nanoseconds since the Unix epoch.
    public init(unixNanoseconds: UInt64) {
        let seconds = unixNanoseconds / 1_000_000_000 + Self.unixEpochOffset
        let nanos = unixNanoseconds % 1_000_000_000
        let fraction = (nanos << 32) / 1_000_000_000
        rawValue = (seconds << 32) &+ fraction
    }

    public var seconds: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    public var fraction: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// The middle 32 bits (16.16 fixed point seconds): LSR, DLSR and RTT use this.
    public var middle32: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) }

    public static func < (lhs: NTPTimestamp, rhs: NTPTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "NTP(\(seconds).\(fraction))" }
}
