import ChorusConference
import Foundation

/// Rooms created by commands live in the ``RoomStore`` and come back after a restart. Rooms of the
/// configuration file are not stored: the file is their truth (on an id both have, the
/// configuration wins), and changes made to them by command last until the next restart.
extension Focus {
    /// Loads the stored rooms into the directory. Returns how many were loaded.
    @discardableResult
    func load(from store: RoomStore) throws -> Int {
        roomStore = store
        var loaded = 0
        for stored in try store.allRooms() {
            let added = directory.create(
                stored.id, displayName: stored.displayName, maxParticipants: stored.maxParticipants, pin: stored.pin,
                owners: stored.owners, moderated: stored.moderated, locked: stored.locked)
            if added { loaded += 1 } else { logger.notice("stored room \(stored.id) is also configured; the configuration wins") }
        }
        return loaded
    }

    /// Writes a created room's current settings (one transaction).
    func persist(_ roomID: String) {
        guard let roomStore, let room = directory.rooms[roomID], room.origin == .created else { return }
        let stored = StoredRoom(
            id: room.id, displayName: room.displayName, pin: room.pin, maxParticipants: room.maxParticipants,
            owners: room.owners, moderated: room.moderated, locked: room.locked, createdAt: Date())
        do {
            try roomStore.save(stored)
        } catch {
            logger.error("cannot store room \(roomID): \(error)")
        }
    }

    func forget(_ roomID: String) {
        do {
            _ = try roomStore?.delete(roomID)
        } catch {
            logger.error("cannot delete stored room \(roomID): \(error)")
        }
    }
}
