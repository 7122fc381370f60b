import ChorusConference
import XCTest

final class RoomDirectoryTests: XCTestCase {
    func testAutoCreatedRoomComesAndGoes() throws {
        var directory = RoomDirectory(staticRooms: [], autoCreate: true, defaultMaxParticipants: 10)
        XCTAssertEqual(try directory.admit(to: "4200").participantCount, 1)
        XCTAssertEqual(try directory.admit(to: "4200").participantCount, 2)
        XCTAssertFalse(directory.leave("4200"))
        XCTAssertTrue(directory.leave("4200"), "the last one out removes an auto-created room")
        XCTAssertNil(directory.rooms["4200"])
        XCTAssertFalse(directory.leave("4200"), "leaving a room that is gone changes nothing")
    }

    func testStaticRoomStaysWhenEmptyAndKeepsItsLimit() throws {
        var directory = RoomDirectory(staticRooms: [("board", "Board room", 2)], autoCreate: false, defaultMaxParticipants: 10)
        _ = try directory.admit(to: "board")
        let second = try directory.admit(to: "board")
        XCTAssertEqual(second.displayName, "Board room")
        XCTAssertThrowsError(try directory.admit(to: "board")) { error in
            XCTAssertEqual(error as? RoomDirectory.Refusal, .roomFull("board", limit: 2))
            XCTAssertEqual((error as? RoomDirectory.Refusal)?.statusCode, 486)
            XCTAssertEqual((error as? RoomDirectory.Refusal)?.reason, "Room Full (2 participants)")
        }
        XCTAssertEqual(directory.rooms["board"]?.participantCount, 2, "a refusal changes nothing")
        directory.leave("board")
        directory.leave("board")
        XCTAssertEqual(directory.rooms["board"]?.participantCount, 0)
        XCTAssertNotNil(directory.rooms["board"], "static rooms stay when empty")
    }

    func testUnknownRoomWithoutAutoCreateIs404() {
        var directory = RoomDirectory(staticRooms: [("4200", nil, nil)], autoCreate: false, defaultMaxParticipants: 10)
        XCTAssertThrowsError(try directory.admit(to: "9999")) { error in
            XCTAssertEqual(error as? RoomDirectory.Refusal, .noSuchRoom("9999"))
            XCTAssertEqual((error as? RoomDirectory.Refusal)?.statusCode, 404)
        }
        XCTAssertNil(directory.rooms["9999"])
        XCTAssertEqual(try directory.admit(to: "4200").maxParticipants, 10, "a static room without max takes the default")
    }

    func testEmptyRoomIDIsNeverCreated() {
        var directory = RoomDirectory(staticRooms: [], autoCreate: true, defaultMaxParticipants: 10)
        XCTAssertThrowsError(try directory.admit(to: ""))
    }
}
