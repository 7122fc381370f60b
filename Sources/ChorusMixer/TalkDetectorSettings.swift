/// When a participant counts as talking.
///
/// Levels are the frame's RMS relative to full scale (a full-scale square wave is 0 dBFS,
/// a full-scale sine about -3 dBFS), measured after the participant's input gain.
public struct TalkDetectorSettings: Equatable, Sendable {
    /// A silent participant starts talking after ``attackFrames`` consecutive frames at or above this level (dBFS).
    public var startThreshold: Float

    /// A talking participant stops after more than ``hangoverFrames`` consecutive frames
    /// below this level (dBFS). Lower than ``startThreshold``: levels in between keep the current state.
    public var stopThreshold: Float

    /// Consecutive loud frames needed to start talking (at least 1).
    public var attackFrames: Int

    /// Consecutive quiet frames, or frames without input, a talker may have and still count as talking,
    /// so that pauses between words and brief packet loss don't cut them.
    public var hangoverFrames: Int

    /// Creates settings; the defaults suit speech: -45 / -52 dBFS, start at once, 300 ms hangover.
    public init(
        startThreshold: Float = -45,
        stopThreshold: Float = -52,
        attackFrames: Int = 1,
        hangoverFrames: Int = 15
    ) {
        self.startThreshold = startThreshold
        self.stopThreshold = stopThreshold
        self.attackFrames = attackFrames
        self.hangoverFrames = hangoverFrames
    }
}
