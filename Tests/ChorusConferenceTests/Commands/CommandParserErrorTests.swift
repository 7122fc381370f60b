import ChorusConference
import XCTest

final class CommandParserErrorTests: XCTestCase {
    private func assertError(
        _ text: String, _ expected: String, in context: CommandContext = .control, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(commandErrorOrFail(text, in: context, file: file, line: line), expected, text, file: file, line: line)
    }

    func testEmptyAndUnknown() {
        self.assertError("", "empty command; send 'help'")
        self.assertError(" \r\n\t ", "empty command; send 'help'")
        self.assertError("--json", "empty command; send 'help'")
        self.assertError("frob", "unknown command 'frob'; send 'help' for the list")
        self.assertError("frob 4200", "unknown command 'frob'; send 'help' for the list")
        self.assertError("rooms --verbose", "unknown option '--verbose'; only --json is supported")
        self.assertError("help frob", "help: unknown command 'frob'; send 'help' for the list")
    }

    func testLongAndControlCharactersAreNotEchoedRaw() {
        let long = String(repeating: "x", count: 200)
        let message = commandErrorOrFail(long)
        XCTAssertEqual(message, "unknown command '\(String(repeating: "x", count: 40))…'; send 'help' for the list")
        XCTAssertEqual(commandErrorOrFail("fr\u{7}ob"), "unknown command 'fr ob'; send 'help' for the list")
    }

    func testErrorsCarryTheJSONWish() {
        guard case .failure(let error) = CommandParser.parse("frob --json", context: .control) else {
            return XCTFail("frob parsed")
        }
        XCTAssertTrue(error.wantsJSON)
        XCTAssertEqual(error.description, error.message)
        guard case .failure(let plain) = CommandParser.parse("frob", context: .control) else {
            return XCTFail("frob parsed")
        }
        XCTAssertFalse(plain.wantsJSON)
    }

    func testMoveAndRecordingErrors() {
        self.assertError("move 4200 3", "move: missing TO-ROOM")
        self.assertError("move 4200 bob 4300", "move: WHO must be a participant number, a SIP URI or 'all'")
        self.assertError("move 4200 3 ../up", "move: TO-ROOM: ROOM must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        self.assertError("move 4200 3 4300 4400", "unexpected number after move 4200 3 4300")
        self.assertError("record 4200", "record: say 'start' or 'stop'")
        self.assertError("record 4200 pause", "record: say 'start' or 'stop'")
        self.assertError("record 4200 start now", "unexpected word 'now' after record 4200 start")
        self.assertError("recordings", "recordings: missing ROOM")
        self.assertError("recordings 4200 4300", "unexpected number after recordings 4200")
    }

    func testMissingArguments() {
        for name in ["info", "who", "destroy", "lock", "unlock", "pin", "max", "mute", "unmute", "deaf", "undeaf", "kick", "invite", "create"] {
            self.assertError(name, "\(name): missing ROOM")
        }
        self.assertError("pin 4200", "pin: missing PIN (or 'none')")
        self.assertError("max 4200", "max: missing N")
        for name in ["mute", "unmute", "deaf", "undeaf", "kick"] {
            self.assertError("\(name) 4200", "\(name): missing WHO")
            self.assertError(name, "\(name): missing WHO", in: .room("4200"))
        }
        self.assertError("invite 4200", "invite: missing SIP-URI")
        self.assertError("pin", "pin: missing PIN (or 'none')", in: .room("4200"))
        self.assertError("max", "max: missing N", in: .room("4200"))
    }

    func testExtraArguments() {
        self.assertError("rooms all", "unexpected word 'all' after rooms")
        self.assertError("create 4200 x", "unexpected word 'x' after create 4200")
        self.assertError("create 4200 max 10 loud", "unexpected word 'loud' after create 4200 max 10")
        self.assertError("lock 4200 now", "unexpected word 'now' after lock 4200")
        self.assertError("mute 4200 3 please", "unexpected word 'please' after mute 4200 3")
        self.assertError("max 4200 10 20", "unexpected word '20' after max 4200 10")
        self.assertError("invite 4200 sip:a@b.org sip:c@d.org", "unexpected word 'sip:c@d.org' after invite 4200 sip:a@b.org")
        self.assertError("help lock now", "unexpected word 'now' after help lock")
        self.assertError("pin 4200 none x", "unexpected word 'x' after pin 4200 ****")
        self.assertError("lock 4200 now", "unexpected word 'now' after lock 4200", in: .room("4200"))
    }

    func testBadROOM() {
        let rule = "ROOM must be 1 to 64 characters of A-Z a-z 0-9 . _ -"
        self.assertError("lock room/1", "lock: \(rule)")
        self.assertError("create r@@m", "create: \(rule)")
        self.assertError("info \(String(repeating: "a", count: 65))", "info: \(rule)")
        self.assertError("mute ünï 3", "mute: \(rule)")
        self.assertError("pin a:b 1234", "pin: \(rule)")
    }

    func testBadPIN() {
        for pin in ["123", "1234567890123", "12a4", "none1", "-1234", "１２３４"] {
            self.assertError("pin 4200 \(pin)", "pin: PIN must be 4 to 12 digits, or 'none'")
        }
        self.assertError("create 4200 pin 12", "create: PIN must be 4 to 12 digits")
        self.assertError("create 4200 pin", "create: 'pin' must be followed by a PIN of 4 to 12 digits")
        self.assertError("create 4200 pin 1234 pin 5678", "create: 'pin' given twice")
    }

    func testBadN() {
        for n in ["1", "0", "10001", "-5", "+5", "ten", "99999999999999999999999"] {
            self.assertError("max 4200 \(n)", "max: N must be a number from 2 to 10000")
        }
        self.assertError("create 4200 max 1", "create: N must be a number from 2 to 10000")
        self.assertError("create 4200 max", "create: 'max' must be followed by N, a number from 2 to 10000")
        self.assertError("create 4200 max 5 max 6", "create: 'max' given twice")
        self.assertError("create 4200 moderated moderated", "create: 'moderated' given twice")
    }

    func testBadURI() {
        for uri in ["bob@example.com", "tel:+4930123", "sip:", "sip:bob@", "sip:@example.com", "sip:bob@exa_mple", "sip:bob@host:port",
            "sip:bob@[::1", "http://example.com"]
        {
            self.assertError("invite 4200 \(uri)", "invite: SIP-URI must be sip: or sips: with a host, like sip:alice@example.com")
        }
        self.assertError("create 4200 owner alice", "create: owner must be sip: or sips: with a host, like sip:alice@example.com")
        self.assertError("create 4200 owner", "create: 'owner' must be followed by a SIP URI")
    }

    func testBadWHO() {
        for name in ["mute", "unmute", "deaf", "undeaf", "kick"] {
            for who in ["bob", "0", "-1", "3.5", "sip:", "everyone", "99999999999999999999999"] {
                self.assertError("\(name) 4200 \(who)", "\(name): WHO must be a participant number, a SIP URI or 'all'")
            }
        }
    }

    func testPINsAreNeverEchoed() {
        let pin = "97531"
        let mistakes = [
            pin, "help \(pin)", "pin 4200 \(pin) \(pin)", "pin 4200 \(pin)1234567890", "pin 4200 \(pin)x",
            "create 4200 \(pin)", "create 4200 pin \(pin) x", "create 4200 pin \(pin) pin \(pin)", "create 4200 pin \(pin)0000000000",
            "create 4200 pin \(pin) max 1", "lock 4200 \(pin)", "mute 4200 3 \(pin)", "rooms \(pin)", "pin 4300 \(pin)",
            "create 4300 pin \(pin)",
        ]
        for text in mistakes {
            for context in [CommandContext.control, .room("4200"), .participant(room: "4200")] {
                guard case .failure(let error) = CommandParser.parse(text, context: context) else { continue }
                XCTAssertFalse(error.message.contains(pin), "'\(text)' in \(context): \(error.message)")
            }
        }
        XCTAssertEqual(commandErrorOrFail(pin), "a number is not a command; send 'help' for the list")
        XCTAssertEqual(commandErrorOrFail("create 4200 \(pin)"), "unexpected number after create 4200")
        XCTAssertEqual(commandErrorOrFail("create 4200 pin \(pin) x"), "unexpected word 'x' after create 4200 pin ****")
    }
}
