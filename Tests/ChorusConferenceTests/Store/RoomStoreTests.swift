import Foundation
import XCTest

@testable import ChorusConference

final class RoomStoreTests: XCTestCase {
    private struct OperatorCancelled: Error {}

    /// A fresh directory under the system's temporary one, removed when the test ends.
    private func makeDirectory() -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("chorus-room-store-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    private func boardRoom(pin: String? = "4711") -> StoredRoom {
        StoredRoom(
            id: "board", displayName: "Board room", pin: pin, maxParticipants: 8,
            owners: ["sip:carol@example.com", "sip:alice@example.com"],
            moderated: true, locked: false,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123_456))
    }

    func testSaveAndLoadRoundTripKeepsOwnersInOrder() throws {
        let store = try RoomStore(directory: makeDirectory())
        let room = boardRoom()
        try store.save(room)
        XCTAssertEqual(try store.room("board"), room)
        XCTAssertEqual(try store.room("board")?.owners, ["sip:carol@example.com", "sip:alice@example.com"])
        XCTAssertEqual(try store.allRooms(), [room])
        XCTAssertNil(try store.room("nobody"))
    }

    func testCreatedAtIsKeptToTheMillisecond() throws {
        let store = try RoomStore.inMemory()
        let room = StoredRoom(id: "r", maxParticipants: 2, createdAt: Date(timeIntervalSince1970: 1_234.567_89))
        XCTAssertEqual(room.createdAt.timeIntervalSince1970, 1_234.568, accuracy: 1e-6)
        try store.save(room)
        XCTAssertEqual(try store.room("r")?.createdAt, room.createdAt)
    }

    func testAllRoomsAreSortedByIDWithTheirOwnOwners() throws {
        let store = try RoomStore.inMemory()
        try store.save(StoredRoom(id: "zeta", maxParticipants: 3, owners: ["sip:z@example.com"]))
        try store.save(StoredRoom(id: "alpha", maxParticipants: 4))
        try store.save(StoredRoom(id: "mid", maxParticipants: 5, owners: ["sip:m1@example.com", "sip:m2@example.com"]))
        let rooms = try store.allRooms()
        XCTAssertEqual(rooms.map(\.id), ["alpha", "mid", "zeta"])
        XCTAssertEqual(rooms.map(\.owners), [[], ["sip:m1@example.com", "sip:m2@example.com"], ["sip:z@example.com"]])
    }

    func testSaveReplacesTheRoomAndAllItsOwners() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        var replacement = boardRoom(pin: nil)
        replacement.displayName = nil
        replacement.owners = ["sip:dave@example.com"]
        replacement.locked = true
        try store.save(replacement)
        XCTAssertEqual(try store.allRooms(), [replacement])
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:alice@example.com"), [])
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:dave@example.com"), ["board"])
    }

    func testUpdateChangesAndReturnsTheStoredRoom() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        let updated = try store.update("board") { room in
            room.locked = true
            room.maxParticipants = 12
            room.owners.append("sip:bob@example.com")
        }
        XCTAssertEqual(updated?.locked, true)
        XCTAssertEqual(updated?.owners.last, "sip:bob@example.com")
        XCTAssertEqual(try store.room("board"), updated)
    }

    func testUpdateOfAMissingRoomReturnsNilWithoutCallingTheChange() throws {
        let store = try RoomStore.inMemory()
        var called = false
        XCTAssertNil(try store.update("ghost") { _ in called = true })
        XCTAssertFalse(called)
        XCTAssertEqual(try store.allRooms(), [])
    }

    func testDeleteRemovesTheRoomAndItsOwners() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        try store.save(StoredRoom(id: "other", maxParticipants: 2, owners: ["sip:alice@example.com"]))
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:alice@example.com"), ["board", "other"])

        XCTAssertTrue(try store.delete("board"))
        XCTAssertNil(try store.room("board"))
        // roomIDs(ownedBy:) reads room_owner alone: a row left behind would show here.
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:alice@example.com"), ["other"])
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:carol@example.com"), [])
        XCTAssertFalse(try store.delete("board"), "deleting twice finds nothing")
    }

    func testReopeningTheDirectoryAfterARestartGivesTheRoomsBack() throws {
        let directory = makeDirectory().appendingPathComponent("nested/state")
        let room = boardRoom()
        do {
            let store = try RoomStore(directory: directory)
            try store.save(room)
            try store.save(StoredRoom(id: "lobby", maxParticipants: 50))
            XCTAssertTrue(try store.delete("lobby"))
            let wal = directory.appendingPathComponent(RoomStore.fileName + "-wal")
            XCTAssertTrue(FileManager.default.fileExists(atPath: wal.path), "the database runs in WAL mode")
        }
        let reopened = try RoomStore(directory: directory)
        XCTAssertEqual(try reopened.allRooms(), [room])
    }

    func testACreatedDirectoryIsTheOwnersOnly() throws {
        let directory = makeDirectory()
        _ = try RoomStore(directory: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testMigrationsRunOnceAndReopeningIsIdempotent() throws {
        let directory = makeDirectory()
        let expected = ["v1: rooms and owners"]
        do {
            let store = try RoomStore(directory: directory)
            XCTAssertEqual(try store.appliedMigrations(), expected)
            try store.save(boardRoom())
        }
        for _ in 0..<3 {
            let store = try RoomStore(directory: directory)
            XCTAssertEqual(try store.appliedMigrations(), expected)
            XCTAssertEqual(try store.allRooms(), [boardRoom()])
        }
    }

    func testAChangeThatThrowsLeavesThePreviousStateAndItsErrorPassesThrough() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        XCTAssertThrowsError(
            try store.update("board") { room in
                room.locked = true
                room.owners = []
                throw OperatorCancelled()
            }
        ) { error in
            XCTAssertTrue(error is OperatorCancelled, "got \(error)")
        }
        XCTAssertEqual(try store.room("board"), boardRoom())
    }

    func testAConstraintViolationHalfwayThroughAnUpdateRollsEverythingBack() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        // The room row is written and the old owners deleted before the duplicate owner fails:
        // only the transaction brings them back.
        XCTAssertThrowsError(
            try store.update("board") { room in
                room.displayName = "Renamed"
                room.owners = ["sip:eve@example.com", "sip:eve@example.com"]
            }
        ) { error in
            let storeError = error as? RoomStoreError
            XCTAssertEqual(storeError?.operation, .update)
            XCTAssertEqual(storeError?.roomID, "board")
            XCTAssertNotNil(storeError?.sqliteCode)
        }
        XCTAssertEqual(try store.room("board"), boardRoom())
        XCTAssertEqual(try store.roomIDs(ownedBy: "sip:eve@example.com"), [])

        XCTAssertThrowsError(try store.update("board") { $0.maxParticipants = 0 })
        XCTAssertEqual(try store.room("board"), boardRoom())
    }

    func testAFailedSaveLeavesThePreviousState() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        var broken = boardRoom()
        broken.locked = true
        broken.owners = ["sip:x@example.com", "sip:x@example.com"]
        XCTAssertThrowsError(try store.save(broken)) { error in
            XCTAssertEqual((error as? RoomStoreError)?.operation, .save)
        }
        XCTAssertEqual(try store.allRooms(), [boardRoom()])
    }

    func testAnUpdateMayNotChangeTheID() throws {
        let store = try RoomStore.inMemory()
        try store.save(boardRoom())
        XCTAssertThrowsError(try store.update("board") { $0.id = "elsewhere" }) { error in
            XCTAssertEqual((error as? RoomStoreError)?.operation, .update)
        }
        XCTAssertEqual(try store.allRooms(), [boardRoom()])
    }

    func testErrorsNeverShowThePIN() throws {
        let store = try RoomStore.inMemory()
        let pin = "90210"
        var room = boardRoom(pin: pin)
        room.owners = ["sip:x@example.com", "sip:x@example.com"]
        XCTAssertThrowsError(try store.save(room)) { error in
            let text = "\(error) \(String(reflecting: error))"
            XCTAssertFalse(text.contains(pin), text)
            XCTAssertTrue(text.contains("board"), text)
            XCTAssertTrue(text.contains("UNIQUE"), text)
        }
    }

    func testTwoThreadsUpdatingAtOnceLoseNoChange() throws {
        let store = try RoomStore(directory: makeDirectory())
        try store.save(StoredRoom(id: "busy", maxParticipants: 1))
        let incrementsPerThread = 200
        let failures = FailureCount()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for step in 0..<incrementsPerThread {
                do {
                    // Each read-modify-write must see the other thread's last one.
                    try store.update("busy") { $0.maxParticipants += 1 }
                    if step % 10 == 0 {
                        try store.save(StoredRoom(id: "t\(thread)-\(step)", maxParticipants: 1))
                        _ = try store.allRooms()
                    }
                } catch {
                    failures.record()
                }
            }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(try store.room("busy")?.maxParticipants, 1 + 2 * incrementsPerThread)
        XCTAssertEqual(try store.allRooms().count, 1 + 2 * incrementsPerThread / 10)
    }

    func testInMemoryStoresAreIndependent() throws {
        let first = try RoomStore.inMemory()
        let second = try RoomStore.inMemory()
        try first.save(boardRoom())
        XCTAssertEqual(try second.allRooms(), [])
    }
}

/// Counts failures from several threads.
private final class FailureCount: @unchecked Sendable {
    // Guarded by `lock`.
    private var count = 0
    private let lock = NSLock()

    func record() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
