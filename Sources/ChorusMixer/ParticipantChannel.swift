/// Everything the mixer keeps for one slot, stored by value in one array so that the
/// per-tick passes walk contiguous memory.
struct ParticipantChannel: Sendable {
    /// Whether a participant holds this slot.
    var isOccupied = false

    /// The controls as the room set them.
    var controls = ParticipantControls()

    /// ``ParticipantControls/inputGain`` as applied.
    var inputGain: Float = 1

    /// ``ParticipantControls/outputGain`` as applied.
    var outputGain: Float = 1

    /// Whether the room supplied a frame for the coming tick.
    var hasInput = false

    /// The mean square the sender reported for the coming tick's audio (RFC 6464) when the room
    /// did not decode it; talk detection reads it in place of the frame's energy.
    var reportedMeanSquare: Float?

    /// Talk state, updated every tick whether or not there was input.
    var talkDetector = TalkDetector()

    /// Mean square of the last tick's input after input gain; 0 without input.
    var meanSquare: Float = 0

    /// Whether the last tick mixed this participant's voice.
    var isContributor = false

    /// What the participant hears after the last tick.
    var output = MixerOutput.silence

    /// Limiter for this participant's individual output.
    var limiter = Limiter()

    /// A freshly added participant.
    init(controls: ParticipantControls) {
        self.isOccupied = true
        self.apply(controls)
    }

    /// A free slot.
    init() {}

    mutating func apply(_ controls: ParticipantControls) {
        self.controls = controls
        self.inputGain = ParticipantControls.effectiveGain(controls.inputGain)
        self.outputGain = ParticipantControls.effectiveGain(controls.outputGain)
    }
}
