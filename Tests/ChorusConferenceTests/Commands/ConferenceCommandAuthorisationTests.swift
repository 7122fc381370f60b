import ChorusConference
import XCTest

final class ConferenceCommandAuthorisationTests: XCTestCase {
    /// Every case, with its expected room, admin need, self-service flag and name.
    private let table: [(ConferenceCommand, room: String?, admin: Bool, selfService: Bool, name: String)] = [
        (.help(topic: nil), nil, false, false, "help"),
        (.rooms, nil, true, false, "rooms"),
        (.info(room: "r"), "r", false, false, "info"),
        (.who(room: "r"), "r", false, false, "who"),
        (.create(room: "r", pin: "1234", maxParticipants: 5, owners: [], moderated: false), "r", true, false, "create"),
        (.destroy(room: "r"), "r", true, false, "destroy"),
        (.lock(room: "r"), "r", false, false, "lock"),
        (.unlock(room: "r"), "r", false, false, "unlock"),
        (.setPIN(room: "r", pin: nil), "r", false, false, "pin"),
        (.setMax(room: "r", maxParticipants: 5), "r", false, false, "max"),
        (.mute(room: "r", .all), "r", false, false, "mute"),
        (.unmute(room: "r", .number(1)), "r", false, false, "unmute"),
        (.deaf(room: "r", .all), "r", false, false, "deaf"),
        (.undeaf(room: "r", .all), "r", false, false, "undeaf"),
        (.kick(room: "r", .uri("sip:a@b")), "r", false, false, "kick"),
        (.invite(room: "r", uri: "sip:a@b"), "r", false, false, "invite"),
        (.selfMute, nil, false, true, "mute"),
        (.selfUnmute, nil, false, true, "unmute"),
        (.selfDeaf, nil, false, true, "deaf"),
        (.selfUndeaf, nil, false, true, "undeaf"),
    ]

    func testRoomAdminAndSelfService() {
        for (command, room, admin, selfService, name) in self.table {
            XCTAssertEqual(command.room, room, "\(command)")
            XCTAssertEqual(command.needsAdmin, admin, "\(command)")
            XCTAssertEqual(command.isSelfService, selfService, "\(command)")
            XCTAssertEqual(command.name, name, "\(command)")
        }
    }

    func testContextRoom() {
        XCTAssertNil(CommandContext.control.room)
        XCTAssertEqual(CommandContext.room("a").room, "a")
        XCTAssertEqual(CommandContext.participant(room: "b").room, "b")
    }

    func testEveryNameIsACommandWordOfTheParser() {
        for (_, _, _, _, name) in self.table {
            switch CommandParser.parse(name, context: .room("r")) {
            case .success(let parsed):
                XCTAssertEqual(parsed.command.name, name)
            case .failure(let error):
                // Commands that need more arguments must still be known words.
                XCTAssertEqual(error.message, "\(name): missing \(name == "pin" ? "PIN (or 'none')" : name == "max" ? "N" : name == "invite" ? "SIP-URI" : "WHO")")
            }
        }
    }
}
