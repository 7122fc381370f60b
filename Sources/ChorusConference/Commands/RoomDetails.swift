/// One room as shown by `info`.
///
/// JSON keys: `room` (a ``RoomSummary``), `owners` (SIP URIs), `participants` (``ParticipantSummary``s),
/// `recording` (whether the room is being recorded). The conference event package's documents
/// (``ConferenceInfoDocument``) are rendered from the same value.
public struct RoomDetails: Codable, Equatable, Sendable {
    /// The room's settings and counts.
    public var room: RoomSummary
    /// The SIP URIs that may manage the room.
    public var owners: [String]
    /// Everyone in the room, by number.
    public var participants: [ParticipantSummary]
    /// Whether the room's mix is being recorded now.
    public var recording: Bool

    /// Creates room details.
    public init(room: RoomSummary, owners: [String] = [], participants: [ParticipantSummary] = [], recording: Bool = false) {
        self.room = room
        self.owners = owners
        self.participants = participants
        self.recording = recording
    }
}
