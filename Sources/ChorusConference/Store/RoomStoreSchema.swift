import Foundation
import GRDB

/// The tables of the room store and the migrations that make them.
///
/// Owners live in their own table rather than in a JSON column of `room`: a foreign key with
/// ON DELETE CASCADE removes them with their room, the primary key (room_id, uri) refuses a
/// duplicate owner, and "which rooms does this URI own" stays a plain indexed query.
enum RoomStoreSchema {
    /// Versioned migrations; one that has run is recorded in the database and never runs again.
    /// Never edit a registered migration: add the next version instead.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: rooms and owners") { db in
            try db.create(table: RoomRecord.databaseTableName) { table in
                table.primaryKey("id", .text)
                table.column("display_name", .text)
                table.column("pin", .text)
                table.column("max_participants", .integer).notNull().check { $0 > 0 }
                table.column("moderated", .boolean).notNull()
                table.column("locked", .boolean).notNull()
                // Milliseconds since 1970: exact, and sorts like the dates it stands for.
                table.column("created_at", .integer).notNull()
            }
            try db.create(table: RoomOwnerRecord.databaseTableName) { table in
                table.column("room_id", .text).notNull()
                    .references(RoomRecord.databaseTableName, onDelete: .cascade)
                table.column("position", .integer).notNull()
                table.column("uri", .text).notNull()
                table.primaryKey(["room_id", "uri"])
            }
            try db.create(
                index: "room_owner_on_uri", on: RoomOwnerRecord.databaseTableName, columns: ["uri"])
        }
        return migrator
    }
}

/// One row of `room`: a ``StoredRoom`` without its owners.
struct RoomRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "room"

    var id: String
    var displayName: String?
    var pin: String?
    var maxParticipants: Int
    var moderated: Bool
    var locked: Bool
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case displayName = "display_name"
        case pin
        case maxParticipants = "max_participants"
        case moderated
        case locked
        case createdAt = "created_at"
    }

    init(_ room: StoredRoom) {
        self.id = room.id
        self.displayName = room.displayName
        self.pin = room.pin
        self.maxParticipants = room.maxParticipants
        self.moderated = room.moderated
        self.locked = room.locked
        self.createdAt = room.createdAt.millisecondsSince1970
    }

    func storedRoom(owners: [String]) -> StoredRoom {
        StoredRoom(
            id: id, displayName: displayName, pin: pin, maxParticipants: maxParticipants,
            owners: owners, moderated: moderated, locked: locked,
            createdAt: Date(millisecondsSince1970: createdAt))
    }
}

/// One row of `room_owner`: an owner of a room and its place in the room's list.
struct RoomOwnerRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "room_owner"

    var roomID: String
    var position: Int
    var uri: String

    enum CodingKeys: String, CodingKey {
        case roomID = "room_id"
        case position
        case uri
    }

    enum Columns {
        static let roomID = Column(CodingKeys.roomID)
        static let position = Column(CodingKeys.position)
        static let uri = Column(CodingKeys.uri)
    }
}
