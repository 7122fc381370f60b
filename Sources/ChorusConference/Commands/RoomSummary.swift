/// One room as listed by `rooms`.
///
/// JSON keys (all always present; `displayName` may be `null`):
/// `id`, `displayName`, `participants`, `maxParticipants`, `locked`, `moderated`, `hasPIN`.
/// The PIN itself is never part of a reply.
public struct RoomSummary: Codable, Equatable, Sendable {
    /// The room name, as in `sip:ROOM@host`.
    public var id: String
    /// A human-readable name, if the room has one.
    public var displayName: String?
    /// How many participants are in the room now.
    public var participants: Int
    /// How many participants the room admits.
    public var maxParticipants: Int
    /// Whether nobody new may join.
    public var locked: Bool
    /// Whether the room is moderated.
    public var moderated: Bool
    /// Whether joining needs a PIN.
    public var hasPIN: Bool

    /// Creates a room summary.
    public init(
        id: String, displayName: String? = nil, participants: Int, maxParticipants: Int,
        locked: Bool = false, moderated: Bool = false, hasPIN: Bool = false
    ) {
        self.id = id
        self.displayName = displayName
        self.participants = participants
        self.maxParticipants = maxParticipants
        self.locked = locked
        self.moderated = moderated
        self.hasPIN = hasPIN
    }

    enum CodingKeys: String, CodingKey {
        case id, displayName, participants, maxParticipants, locked, moderated, hasPIN
    }

    /// Encodes every key, writing `null` for a missing display name so the key set never changes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.displayName, forKey: .displayName)
        try container.encode(self.participants, forKey: .participants)
        try container.encode(self.maxParticipants, forKey: .maxParticipants)
        try container.encode(self.locked, forKey: .locked)
        try container.encode(self.moderated, forKey: .moderated)
        try container.encode(self.hasPIN, forKey: .hasPIN)
    }
}
