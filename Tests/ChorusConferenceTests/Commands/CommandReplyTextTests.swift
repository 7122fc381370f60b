import ChorusConference
import XCTest

final class CommandReplyTextTests: XCTestCase {
    private func text(_ reply: CommandReply, file: StaticString = #filePath, line: UInt = #line) -> String {
        let rendered = reply.rendered(json: false)
        XCTAssertEqual(rendered.contentType, "text/plain;charset=utf-8", file: file, line: line)
        return rendered.body
    }

    func testOkErrorAndHelp() {
        XCTAssertEqual(self.text(.ok("room 4200 locked")), "room 4200 locked")
        XCTAssertEqual(self.text(.error("create: missing ROOM")), "error: create: missing ROOM")
        XCTAssertEqual(self.text(CommandReply(CommandError("lock: missing ROOM"))), "error: lock: missing ROOM")
        XCTAssertEqual(self.text(.help(CommandHelp.text(for: "lock"))), CommandHelp.text(for: "lock"))
    }

    func testRoomsTable() {
        XCTAssertEqual(self.text(.rooms([])), "no rooms")
        XCTAssertEqual(
            self.text(.rooms([CommandReplyFixtures.standup, CommandReplyFixtures.lobby])),
            """
            ROOM     NAME           PEOPLE   LOCKED  MODERATED  PIN
            standup  Daily standup  2/20     yes     no         yes
            4200     -              0/10000  no      no         no
            """)
    }

    func testDetails() {
        XCTAssertEqual(
            self.text(.details(CommandReplyFixtures.details)),
            """
            room standup (Daily standup)
            participants: 2 of 20
            locked: yes  moderated: no  PIN: yes
            owners: sip:alice@example.com, sip:carol@example.com
            recording: no

            #   NAME   URI                          CODEC         SRTP  STATE          JOINED                LOSS  JITTER
            1   Alice  sip:alice@example.com        opus/48000/2  yes   muted,talking  2026-11-25T09:30:00Z  1.3%  12.5 ms
            12  -      sips:bob@[2001:db8::1]:5061  PCMU/8000     no    -              2026-11-25T09:31:05Z  -     -
            """)
        XCTAssertEqual(
            self.text(.details(RoomDetails(room: CommandReplyFixtures.lobby))),
            """
            room 4200
            participants: 0 of 10000
            locked: no  moderated: no  PIN: no
            owners: none
            recording: no
            """)
    }

    func testWho() {
        XCTAssertEqual(self.text(.who([])), "nobody is in the room")
        var waiting = CommandReplyFixtures.bob
        waiting.inLobby = true
        waiting.deaf = true
        XCTAssertEqual(
            self.text(.who([CommandReplyFixtures.alice, waiting])),
            """
            #   NAME   URI                          STATE
            1   Alice  sip:alice@example.com        muted,talking
            12  -      sips:bob@[2001:db8::1]:5061  lobby,deaf
            """)
    }

    func testNamesFromTheNetworkCannotBreakLines() {
        var sneaky = CommandReplyFixtures.alice
        sneaky.displayName = "Eve\r\nroom 9999 destroyed"
        let body = self.text(.who([sneaky]))
        XCTAssertEqual(body.split(separator: "\n").count, 2, body)
        XCTAssertEqual(self.text(.ok("done\nroom 1 destroyed")), "done room 1 destroyed")
    }

    func testNoLineEndsInSpaces() {
        for reply: CommandReply in [.rooms([CommandReplyFixtures.standup]), .details(CommandReplyFixtures.details), .who([CommandReplyFixtures.bob])] {
            for line in self.text(reply).split(separator: "\n") {
                XCTAssertFalse(line.hasSuffix(" "), "'\(line)'")
            }
        }
    }
}
