/// How one participant is heard and what they hear.
public struct ParticipantControls: Equatable, Sendable {
    /// The largest gain the mixer applies (+24 dB); larger values are clamped to it.
    public static let maximumGain: Float = 16

    /// Linear gain applied to the participant's voice before talk detection and mixing.
    /// Clamped to `0...maximumGain`.
    public var inputGain: Float

    /// Linear gain applied to everything the participant hears. Any value other than 1
    /// gives them an ``MixerOutput/individual`` frame. Clamped to `0...maximumGain`.
    public var outputGain: Float

    /// Others don't hear the participant. Talk detection still runs, so the room can
    /// tell them they are talking while muted.
    public var muted: Bool

    /// The participant hears nothing; others still hear them.
    public var deaf: Bool

    /// Creates controls; the defaults are unity gains, not muted, not deaf.
    public init(inputGain: Float = 1, outputGain: Float = 1, muted: Bool = false, deaf: Bool = false) {
        self.inputGain = inputGain
        self.outputGain = outputGain
        self.muted = muted
        self.deaf = deaf
    }
}

extension ParticipantControls {
    /// `gain` limited to what the mixer supports; NaN counts as 0 (silence is the safe failure).
    public static func effectiveGain(_ gain: Float) -> Float {
        guard gain > 0 else { return 0 }
        return min(gain, Self.maximumGain)
    }
}
