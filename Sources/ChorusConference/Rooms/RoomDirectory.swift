/// Which rooms exist and who may enter them: static rooms from the configuration, rooms created by
/// operators (`create`, kept until `destroy`), rooms created on first dial when auto-create is on
/// (removed again when their last participant leaves), and each room's limit, lock, PIN, owners
/// and moderation. Pure bookkeeping with no media; one owner (the SIP event loop).
public struct RoomDirectory: Sendable {
    /// A room's settings and current head count.
    public struct Room: Sendable, Equatable {
        public let id: String
        public var displayName: String?
        public var maxParticipants: Int
        /// How the room came to be: configured and created rooms stay when empty; auto-created ones go.
        public var origin: Origin
        public internal(set) var participantCount: Int
        /// Locked: nobody new may enter.
        public var locked = false
        /// Callers must key this PIN (RFC 4733 digits, then `#`) before they are mixed.
        public var pin: String?
        /// SIP URIs whose users may manage this room.
        public var owners: [String] = []
        /// Participants are only mixed while a moderator (owner or admin) is in the call.
        public var moderated = false

        /// Configured rooms stay when empty; auto-created ones go.
        public var isStatic: Bool { origin != .dialed }
    }

    /// Where a room comes from.
    public enum Origin: Sendable, Equatable {
        /// `conference.rooms` in the configuration.
        case configured
        /// Created by an operator's `create` command (and stored).
        case created
        /// Created by the first caller (auto-create); removed when empty.
        case dialed
    }

    /// Why a caller may not enter; the SIP answer the focus gives for it.
    public enum Refusal: Error, Sendable, Equatable {
        /// The room does not exist and auto-create is off: 404.
        case noSuchRoom(String)
        /// The room is at its limit: 486 Busy Here, with the reason.
        case roomFull(String, limit: Int)
        /// The room is locked: 403 with the reason.
        case locked(String)

        public var statusCode: Int {
            switch self {
            case .noSuchRoom: 404
            case .roomFull: 486
            case .locked: 403
            }
        }

        public var reason: String {
            switch self {
            case .noSuchRoom: "No Such Room"
            case .roomFull(_, let limit): "Room Full (\(limit) participants)"
            case .locked: "Room Locked"
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
                origin: .configured, participantCount: 0)
        }
    }

    /// Lets one participant into `roomID`, creating the room if allowed. Nothing changes on refusal.
    public mutating func admit(to roomID: String) throws(Refusal) -> Room {
        var room: Room
        if let existing = rooms[roomID] {
            room = existing
        } else {
            guard autoCreate, !roomID.isEmpty else { throw .noSuchRoom(roomID) }
            room = Room(id: roomID, displayName: nil, maxParticipants: defaultMaxParticipants, origin: .dialed, participantCount: 0)
        }
        guard !room.locked else { throw .locked(roomID) }
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

    // MARK: - Management

    /// Adds a room made by an operator (or loaded from storage). A room already configured keeps
    /// its configured settings (the configuration wins); an auto-created one becomes created.
    /// Returns false when a configured room of that id exists.
    @discardableResult
    public mutating func create(
        _ id: String, displayName: String? = nil, maxParticipants: Int? = nil, pin: String? = nil, owners: [String] = [],
        moderated: Bool = false, locked: Bool = false
    ) -> Bool {
        if let existing = rooms[id], existing.origin == .configured { return false }
        var room = Room(
            id: id, displayName: displayName, maxParticipants: maxParticipants ?? defaultMaxParticipants, origin: .created,
            participantCount: rooms[id]?.participantCount ?? 0)
        room.pin = pin
        room.owners = owners
        room.moderated = moderated
        room.locked = locked
        rooms[id] = room
        return true
    }

    /// Removes a room whatever its origin; its calls must be ended by the caller. Returns the room.
    @discardableResult
    public mutating func destroy(_ id: String) -> Room? {
        rooms.removeValue(forKey: id)
    }

    /// Changes a room's settings; nil when there is no such room.
    @discardableResult
    public mutating func update(_ id: String, _ change: (inout Room) -> Void) -> Room? {
        guard var room = rooms[id] else { return nil }
        change(&room)
        rooms[id] = room
        return room
    }
}
