/// How each output stream is kept from clipping.
///
/// The limiter looks at each 20 ms frame before it is written, so it can lower the gain
/// before a peak instead of after it: output samples never exceed ``threshold``. The gain
/// falls within ``attackTime`` and recovers with ``releaseTime``; it is held per frame, so a
/// steady loud mix gets a steady gain (no pumping).
public struct LimiterSettings: Equatable, Sendable {
    /// The highest sample magnitude written, in dBFS (-1 dBFS ≈ 29204).
    public var threshold: Float

    /// Milliseconds over which the gain falls to a new, lower target at the start of a frame.
    public var attackTime: Float

    /// Time constant, in milliseconds, of the gain's recovery towards 1 once the mix is quieter.
    public var releaseTime: Float

    /// Creates settings; the defaults are -1 dBFS, 1 ms attack and 150 ms release.
    public init(threshold: Float = -1, attackTime: Float = 1, releaseTime: Float = 150) {
        self.threshold = threshold
        self.attackTime = attackTime
        self.releaseTime = releaseTime
    }
}
