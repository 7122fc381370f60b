/// One room as shown by `info`.
///
/// JSON keys: `room` (a ``RoomSummary``), `owners` (SIP URIs), `participants` (``ParticipantSummary``s).
public struct RoomDetails: Codable, Equatable, Sendable {
    /// The room's settings and counts.
    public var room: RoomSummary
    /// The SIP URIs that may manage the room.
    public var owners: [String]
    /// Everyone in the room, by number.
    public var participants: [ParticipantSummary]

    /// Creates room details.
    public init(room: RoomSummary, owners: [String] = [], participants: [ParticipantSummary] = []) {
        self.room = room
        self.owners = owners
        self.participants = participants
    }
}
