import Foundation
import GRDB

/// The persistent state of the rooms operators create at run time, so that they survive a restart.
///
/// Backed by SQLite (through GRDB) in `chorus.sqlite`, in WAL mode. Every write is one
/// transaction: a crash in the middle of a command leaves either the old state or the new one.
/// Safe to use from any thread: writes are serialised, reads see a committed state.
public final class RoomStore: Sendable {
    /// The name of the database file inside the store's directory.
    public static let fileName = "chorus.sqlite"

    private let writer: any DatabaseWriter

    /// Opens the store in `directory`, creating the directory if needed, and brings the schema
    /// up to date.
    ///
    /// A directory this creates is readable by its owner only: the database holds room PINs.
    public init(directory: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw RoomStoreError(.open, roomID: nil, underlying: error)
        }
        let path = directory.appendingPathComponent(Self.fileName).path
        do {
            // A pool runs in WAL mode: readers never wait for the writer.
            self.writer = try DatabasePool(path: path, configuration: Self.configuration)
        } catch {
            throw RoomStoreError(.open, roomID: nil, underlying: error)
        }
        try migrate()
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try migrate()
    }

    /// A store that lives in memory only, for tests. Each call makes a new, empty store.
    public static func inMemory() throws -> RoomStore {
        do {
            return try RoomStore(writer: DatabaseQueue(configuration: configuration))
        } catch let error as RoomStoreError {
            throw error
        } catch {
            throw RoomStoreError(.open, roomID: nil, underlying: error)
        }
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.label = "RoomStore"
        // GRDB's default, spelled out: statement arguments (PINs among them) stay out of errors and traces.
        configuration.publicStatementArguments = false
        return configuration
    }

    private func migrate() throws {
        do {
            try RoomStoreSchema.migrator.migrate(writer)
        } catch {
            throw RoomStoreError(.migrate, roomID: nil, underlying: error)
        }
    }

    /// The identifiers of the migrations applied to this store's database, in order.
    func appliedMigrations() throws -> [String] {
        try writer.read { db in try RoomStoreSchema.migrator.appliedMigrations(db) }
    }

    // MARK: Reading

    /// Every stored room, sorted by id.
    public func allRooms() throws -> [StoredRoom] {
        do {
            return try writer.read { db in
                let rooms = try RoomRecord.order(Column(RoomRecord.CodingKeys.id)).fetchAll(db)
                let owners = try RoomOwnerRecord
                    .order(RoomOwnerRecord.Columns.roomID, RoomOwnerRecord.Columns.position)
                    .fetchAll(db)
                let ownersByRoom = Dictionary(grouping: owners, by: \.roomID)
                return rooms.map { record in
                    record.storedRoom(owners: ownersByRoom[record.id, default: []].map(\.uri))
                }
            }
        } catch {
            throw RoomStoreError(.read, roomID: nil, underlying: error)
        }
    }

    /// The room with identifier `id`, or nil if there is none.
    public func room(_ id: String) throws -> StoredRoom? {
        do {
            return try writer.read { db in try Self.fetchRoom(id, in: db) }
        } catch {
            throw RoomStoreError(.read, roomID: id, underlying: error)
        }
    }

    /// The ids of the rooms that `uri` owns, sorted.
    public func roomIDs(ownedBy uri: String) throws -> [String] {
        do {
            return try writer.read { db in
                try RoomOwnerRecord
                    .filter(RoomOwnerRecord.Columns.uri == uri)
                    .order(RoomOwnerRecord.Columns.roomID)
                    .fetchAll(db)
                    .map(\.roomID)
            }
        } catch {
            throw RoomStoreError(.read, roomID: nil, underlying: error)
        }
    }

    // MARK: Writing

    /// Stores `room`, replacing the room with the same id and all its owners, in one transaction.
    ///
    /// Throws, and changes nothing, if `maxParticipants` is below 1 or an owner appears twice.
    public func save(_ room: StoredRoom) throws {
        do {
            try writer.write { db in try Self.persist(room, in: db) }
        } catch {
            throw RoomStoreError(.save, roomID: room.id, underlying: error)
        }
    }

    /// Removes the room with identifier `id` and its owners.
    ///
    /// - Returns: whether there was such a room.
    @discardableResult
    public func delete(_ id: String) throws -> Bool {
        do {
            // The foreign key's ON DELETE CASCADE removes the owners.
            return try writer.write { db in try RoomRecord.deleteOne(db, key: id) }
        } catch {
            throw RoomStoreError(.delete, roomID: id, underlying: error)
        }
    }

    /// Reads the room with identifier `id`, lets `change` modify it, and stores the result, all in
    /// one transaction: no other write comes in between.
    ///
    /// If `change` throws, its error is rethrown as it is and the room stays as it was; so it does
    /// if storing the changed room fails. `change` must not change the room's id.
    ///
    /// - Returns: the room as stored after the change, or nil (and `change` is not called) if
    ///   there is no such room.
    @discardableResult
    public func update(_ id: String, _ change: (inout StoredRoom) throws -> Void) throws -> StoredRoom? {
        do {
            return try writer.write { db in
                guard var room = try Self.fetchRoom(id, in: db) else { return nil }
                do {
                    try change(&room)
                } catch {
                    throw ChangeFailed(error: error)
                }
                guard room.id == id else {
                    throw RoomStoreError(.update, roomID: id, reason: "the change altered the room's id")
                }
                try Self.persist(room, in: db)
                return room
            }
        } catch let failed as ChangeFailed {
            throw failed.error
        } catch let error as RoomStoreError {
            throw error
        } catch {
            throw RoomStoreError(.update, roomID: id, underlying: error)
        }
    }

    /// Carries an error of the caller's `change` through the transaction, to tell it from the
    /// store's own.
    private struct ChangeFailed: Error {
        var error: any Error
    }

    // MARK: Rows

    private static func fetchRoom(_ id: String, in db: Database) throws -> StoredRoom? {
        guard let record = try RoomRecord.fetchOne(db, key: id) else { return nil }
        let owners = try RoomOwnerRecord
            .filter(RoomOwnerRecord.Columns.roomID == id)
            .order(RoomOwnerRecord.Columns.position)
            .fetchAll(db)
        return record.storedRoom(owners: owners.map(\.uri))
    }

    private static func persist(_ room: StoredRoom, in db: Database) throws {
        // An UPDATE, or an INSERT for a new room; then the owners are rewritten to match.
        try RoomRecord(room).save(db)
        try RoomOwnerRecord.filter(RoomOwnerRecord.Columns.roomID == room.id).deleteAll(db)
        for (position, uri) in room.owners.enumerated() {
            try RoomOwnerRecord(roomID: room.id, position: position, uri: uri).insert(db)
        }
    }
}
