/// A participant's place in a ``ConferenceMixer``.
///
/// Slots are small integers so that the mixer can keep every participant's state and
/// samples in contiguous storage, indexed without hashing. A slot is valid from
/// ``ConferenceMixer/addParticipant(controls:)`` until ``ConferenceMixer/removeParticipant(_:)``;
/// after that the mixer may hand the same index to a new participant.
public struct MixerSlot: Hashable, Sendable {
    /// The position of this participant in the mixer's storage.
    public let index: Int

    init(index: Int) {
        self.index = index
    }
}

extension MixerSlot: CustomStringConvertible {
    /// `slot#<index>`, for logs.
    public var description: String {
        "slot#\(self.index)"
    }
}
