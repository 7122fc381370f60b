import ChorusConference
import XCTest

final class CommandParserParticipantTests: XCTestCase {
    private let context = CommandContext.participant(room: "4200")

    private func command(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConferenceCommand? {
        parsedCommandOrFail(text, in: self.context, file: file, line: line)?.command
    }

    func testWithoutArgumentsTheSenderIsMeant() {
        XCTAssertEqual(self.command("mute"), .selfMute)
        XCTAssertEqual(self.command("UNMUTE"), .selfUnmute)
        XCTAssertEqual(self.command("deaf"), .selfDeaf)
        XCTAssertEqual(self.command("undeaf --json"), .selfUndeaf)
        XCTAssertEqual(parsedCommandOrFail("undeaf --json", in: self.context)?.wantsJSON, true)
    }

    func testWhoAndHelp() {
        XCTAssertEqual(self.command("who"), .who(room: "4200"))
        XCTAssertEqual(self.command("who 4200"), .who(room: "4200"))
        XCTAssertEqual(self.command("help"), .help(topic: nil))
        XCTAssertEqual(self.command("help mute"), .help(topic: "mute"))
    }

    func testWithArgumentsTheyActOnTheRoom() {
        XCTAssertEqual(self.command("mute 3"), .mute(room: "4200", .number(3)))
        XCTAssertEqual(self.command("deaf 4200 all"), .deaf(room: "4200", .all))
        XCTAssertEqual(commandErrorOrFail("mute 4300 3", in: self.context), "this address controls room 4200 only")
        XCTAssertEqual(commandErrorOrFail("who 4300", in: self.context), "this address controls room 4200 only")
    }

    func testOtherCommandsDoNotWorkInsideACall() {
        let expected = "only mute, unmute, deaf, undeaf, who and help work inside a call"
        for text in ["rooms", "info", "create", "destroy", "lock", "unlock", "pin 1234", "max 5", "kick 3", "invite sip:c@example.com"] {
            XCTAssertEqual(commandErrorOrFail(text, in: self.context), expected, text)
        }
        XCTAssertEqual(commandErrorOrFail("frob", in: self.context), "unknown command 'frob'; send 'help' for the list")
    }
}
