/// Which rooms exist and who may enter them: static rooms from the configuration, rooms created on
/// first dial when auto-create is on (removed again when their last participant leaves), and the
/// per-room participant limit. Pure bookkeeping with no media; one owner (the SIP event loop).
public struct RoomDirectory: Sendable {
    /// A room's settings and current head count.
    public struct Room: Sendable, Equatable {
        public let id: String
        public var displayName: String?
        public var maxParticipants: Int
        /// Configured rooms stay when empty; auto-created ones go.
        public let isStatic: Bool
        public internal(set) var participantCount: Int
    }

    /// Why a caller may not enter; the SIP answer the focus gives for it.
    public enum Refusal: Error, Sendable, Equatable {
        /// The room does not exist and auto-create is off: 404.
        case noSuchRoom(String)
        /// The room is at its limit: 486 Busy Here, with the reason.
        case roomFull(String, limit: Int)

        public var statusCode: Int {
            switch self {
            case .noSuchRoom: 404
            case .roomFull: 486
            }
        }

        public var reason: String {
            switch self {
            case .noSuchRoom: "No Such Room"
            case .roomFull(_, let limit): "Room Full (\(limit) participants)"
            }
        }
    }

    public let autoCreate: Bool
    public let defaultMaxParticipants: Int
    public private(set) var rooms: [String: Room] = [:]

    /// - Parameter staticRooms: (id, display name, limit or nil for the default).
    public init(staticRooms: [(id: String, name: String?, maxParticipants: Int?)], autoCreate: Bool, defaultMaxParticipants: Int) {
        self.autoCreate = autoCreate
        self.defaultMaxParticipants = defaultMaxParticipants
        for spec in staticRooms {
            rooms[spec.id] = Room(
                id: spec.id, displayName: spec.name, maxParticipants: spec.maxParticipants ?? defaultMaxParticipants,
                isStatic: true, participantCount: 0)
        }
    }

    /// Lets one participant into `roomID`, creating the room if allowed. Nothing changes on refusal.
    public mutating func admit(to roomID: String) throws(Refusal) -> Room {
        var room: Room
        if let existing = rooms[roomID] {
            room = existing
        } else {
            guard autoCreate, !roomID.isEmpty else { throw .noSuchRoom(roomID) }
            room = Room(id: roomID, displayName: nil, maxParticipants: defaultMaxParticipants, isStatic: false, participantCount: 0)
        }
        guard room.participantCount < room.maxParticipants else { throw .roomFull(roomID, limit: room.maxParticipants) }
        room.participantCount += 1
        rooms[roomID] = room
        return room
    }

    /// One participant left `roomID`. Returns true when that removed an auto-created room.
    @discardableResult
    public mutating func leave(_ roomID: String) -> Bool {
        guard var room = rooms[roomID], room.participantCount > 0 else { return false }
        room.participantCount -= 1
        if room.participantCount == 0 && !room.isStatic {
            rooms.removeValue(forKey: roomID)
            return true
        }
        rooms[roomID] = room
        return false
    }
}
