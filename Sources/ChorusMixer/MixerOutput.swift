/// What a participant hears after a ``ConferenceMixer/mix()`` tick.
///
/// The room uses this to encode as little as possible: every ``shared`` listener hears
/// byte-identical audio, so one encoding per codec configuration serves all of them.
public enum MixerOutput: Equatable, Sendable {
    /// Nothing: the participant is deaf, or nobody else is talking.
    /// ``ConferenceMixer/withOutputFrame(for:_:)`` yields zeros.
    case silence

    /// Exactly the common mix of all contributors, identical for every `shared` listener.
    case shared

    /// A frame of their own: the mix without their own voice (N-1), or scaled by their output gain.
    case individual
}
