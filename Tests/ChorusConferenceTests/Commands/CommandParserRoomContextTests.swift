import ChorusConference
import XCTest

final class CommandParserRoomContextTests: XCTestCase {
    private let context = CommandContext.room("4200")

    private func assertParses(_ text: String, as expected: ConferenceCommand, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(parsedCommandOrFail(text, in: self.context, file: file, line: line)?.command, expected, text, file: file, line: line)
    }

    func testROOMMayBeLeftOut() {
        self.assertParses("info", as: .info(room: "4200"))
        self.assertParses("who", as: .who(room: "4200"))
        self.assertParses("destroy", as: .destroy(room: "4200"))
        self.assertParses("lock", as: .lock(room: "4200"))
        self.assertParses("unlock", as: .unlock(room: "4200"))
        self.assertParses("pin 1234", as: .setPIN(room: "4200", pin: "1234"))
        self.assertParses("pin none", as: .setPIN(room: "4200", pin: nil))
        self.assertParses("max 30", as: .setMax(room: "4200", maxParticipants: 30))
        self.assertParses("mute 3", as: .mute(room: "4200", .number(3)))
        self.assertParses("unmute all", as: .unmute(room: "4200", .all))
        self.assertParses("deaf sip:bob@example.com", as: .deaf(room: "4200", .uri("sip:bob@example.com")))
        self.assertParses("undeaf 2", as: .undeaf(room: "4200", .number(2)))
        self.assertParses("kick 7", as: .kick(room: "4200", .number(7)))
        self.assertParses("invite sip:carol@example.com", as: .invite(room: "4200", uri: "sip:carol@example.com"))
        self.assertParses("create", as: .create(room: "4200", pin: nil, maxParticipants: nil, owners: [], moderated: false))
        self.assertParses("create pin 5555 max 9", as: .create(room: "4200", pin: "5555", maxParticipants: 9, owners: [], moderated: false))
        self.assertParses("create Moderated", as: .create(room: "4200", pin: nil, maxParticipants: nil, owners: [], moderated: true))
    }

    func testROOMMayBeGivenWhenItIsThisRoom() {
        self.assertParses("info 4200", as: .info(room: "4200"))
        self.assertParses("lock 4200", as: .lock(room: "4200"))
        self.assertParses("pin 4200 1234", as: .setPIN(room: "4200", pin: "1234"))
        self.assertParses("max 4200 30", as: .setMax(room: "4200", maxParticipants: 30))
        self.assertParses("mute 4200 3", as: .mute(room: "4200", .number(3)))
        self.assertParses("invite 4200 sip:carol@example.com", as: .invite(room: "4200", uri: "sip:carol@example.com"))
        self.assertParses("create 4200 max 9", as: .create(room: "4200", pin: nil, maxParticipants: 9, owners: [], moderated: false))
    }

    func testARoomNamedLikeAnOptionCanStillBeCreatedAtItsAddress() {
        XCTAssertEqual(
            parsedCommandOrFail("create pin pin 1234", in: .room("pin"))?.command,
            .create(room: "pin", pin: "1234", maxParticipants: nil, owners: [], moderated: false))
    }

    func testServerWideCommandsStillWork() {
        self.assertParses("rooms", as: .rooms)
        self.assertParses("help lock", as: .help(topic: "lock"))
    }

    func testAnotherRoomIsRefused() {
        let expected = "this address controls room 4200 only"
        for text in ["info 4300", "who 4300", "destroy 4300", "lock 4300", "unlock 4300", "pin 4300 1234", "max 4300 9",
            "mute 4300 3", "kick 4300 all", "invite 4300 sip:c@example.com", "create 4300", "create 4300 max 9", "lock 4200x"]
        {
            XCTAssertEqual(commandErrorOrFail(text, in: self.context), expected, text)
        }
    }

    func testRoomNamesAreCaseSensitive() {
        XCTAssertEqual(commandErrorOrFail("lock Team", in: .room("team")), "this address controls room team only")
    }
}
