import ChorusConference
import XCTest

final class CommandParserControlTests: XCTestCase {
    private func assertParses(
        _ text: String, as expected: ConferenceCommand, json: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) {
        let parsed = parsedCommandOrFail(text, in: .control, file: file, line: line)
        XCTAssertEqual(parsed?.command, expected, text, file: file, line: line)
        XCTAssertEqual(parsed?.wantsJSON, json, text, file: file, line: line)
    }

    func testHelpAndRooms() {
        self.assertParses("help", as: .help(topic: nil))
        self.assertParses("HELP Create", as: .help(topic: "create"))
        self.assertParses("rooms", as: .rooms)
        self.assertParses("  Rooms \r\n", as: .rooms)
    }

    func testRoomCommands() {
        self.assertParses("info 4200", as: .info(room: "4200"))
        self.assertParses("who 4200", as: .who(room: "4200"))
        self.assertParses("destroy team.a_1-b", as: .destroy(room: "team.a_1-b"))
        self.assertParses("LOCK 4200", as: .lock(room: "4200"))
        self.assertParses("unlock 4200", as: .unlock(room: "4200"))
        self.assertParses("pin 4200 1234", as: .setPIN(room: "4200", pin: "1234"))
        self.assertParses("pin 4200 123456789012", as: .setPIN(room: "4200", pin: "123456789012"))
        self.assertParses("pin 4200 NONE", as: .setPIN(room: "4200", pin: nil))
        self.assertParses("max 4200 2", as: .setMax(room: "4200", maxParticipants: 2))
        self.assertParses("max 4200 10000", as: .setMax(room: "4200", maxParticipants: 10000))
        self.assertParses("invite 4200 sip:carol@example.com", as: .invite(room: "4200", uri: "sip:carol@example.com"))
        self.assertParses("invite 4200 sips:example.com:5061", as: .invite(room: "4200", uri: "sips:example.com:5061"))
    }

    func testMoveRecordAndRecordings() {
        self.assertParses("move 4200 3 4300", as: .move(room: "4200", .number(3), to: "4300"))
        self.assertParses("MOVE 4200 all breakout", as: .move(room: "4200", .all, to: "breakout"))
        self.assertParses("move 4200 sip:bob@example.com team.b", as: .move(room: "4200", .uri("sip:bob@example.com"), to: "team.b"))
        self.assertParses("record 4200 START", as: .record(room: "4200", start: true))
        self.assertParses("record 4200 stop", as: .record(room: "4200", start: false))
        self.assertParses("recordings 4200", as: .recordings(room: "4200"))
        self.assertParses("recordings 4200 --json", as: .recordings(room: "4200"), json: true)
    }

    func testRoomNamesKeepTheirCase() {
        self.assertParses("lock TeamRoom", as: .lock(room: "TeamRoom"))
        let longest = String(repeating: "a", count: 64)
        self.assertParses("lock \(longest)", as: .lock(room: longest))
    }

    func testParticipantCommandsWithEveryKindOfWHO() {
        self.assertParses("mute 4200 3", as: .mute(room: "4200", .number(3)))
        self.assertParses("unmute 4200 ALL", as: .unmute(room: "4200", .all))
        self.assertParses("deaf 4200 sip:bob@example.com", as: .deaf(room: "4200", .uri("sip:bob@example.com")))
        self.assertParses("undeaf 4200 sips:bob@[2001:db8::1]:5061", as: .undeaf(room: "4200", .uri("sips:bob@[2001:db8::1]:5061")))
        self.assertParses("Kick 4200 12", as: .kick(room: "4200", .number(12)))
        self.assertParses("kick 4200 SIP:bob@example.com;transport=tls", as: .kick(room: "4200", .uri("SIP:bob@example.com;transport=tls")))
    }

    func testCreateWithOptionsInAnyOrder() {
        self.assertParses("create 4200", as: .create(room: "4200", pin: nil, maxParticipants: nil, owners: [], moderated: false))
        let full = ConferenceCommand.create(
            room: "standup", pin: "2468", maxParticipants: 20,
            owners: ["sip:alice@example.com", "sip:bob@example.com"], moderated: true)
        self.assertParses("create standup pin 2468 max 20 owner sip:alice@example.com owner sip:bob@example.com moderated", as: full)
        self.assertParses("create standup moderated owner sip:alice@example.com MAX 20 owner sip:bob@example.com PIN 2468", as: full)
        self.assertParses("CREATE standup owner sip:alice@example.com moderated owner sip:bob@example.com pin 2468 max 20", as: full)
    }

    func testCreateKeepsEachOwnerOnce() {
        self.assertParses(
            "create 4200 owner sip:a@x.org owner sip:b@x.org owner sip:a@x.org",
            as: .create(room: "4200", pin: nil, maxParticipants: nil, owners: ["sip:a@x.org", "sip:b@x.org"], moderated: false))
    }

    func testJSONFlagAnywhere() {
        self.assertParses("--json rooms", as: .rooms, json: true)
        self.assertParses("rooms --JSON", as: .rooms, json: true)
        self.assertParses("mute --json 4200 3", as: .mute(room: "4200", .number(3)), json: true)
        self.assertParses(
            "create 4200 max 5 --json moderated",
            as: .create(room: "4200", pin: nil, maxParticipants: 5, owners: [], moderated: true), json: true)
    }

    func testWordsMaySpanLinesAndTabs() {
        self.assertParses("mute\t4200\n3\r\n", as: .mute(room: "4200", .number(3)))
    }
}
