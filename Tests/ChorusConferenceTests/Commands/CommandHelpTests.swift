import ChorusConference
import XCTest

final class CommandHelpTests: XCTestCase {
    private let commands = [
        "help", "rooms", "info", "who", "create", "destroy", "lock", "unlock", "pin", "max",
        "mute", "unmute", "deaf", "undeaf", "kick", "invite",
    ]

    func testListNamesEveryCommandOnItsOwnLine() {
        let lines = CommandHelp.text(for: nil).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for command in self.commands {
            XCTAssertEqual(lines.filter { $0.hasPrefix(command + " ") || $0 == command }.count, 1, command)
        }
        XCTAssertTrue(CommandHelp.text(for: nil).contains("--json"))
    }

    func testEveryCommandHasUsageAndExamples() {
        for command in self.commands {
            let text = CommandHelp.text(for: command.uppercased())
            XCTAssertTrue(text.hasPrefix("usage: \(command)"), text)
            XCTAssertTrue(text.contains("examples:\n  \(command)"), text)
            // Every example must itself be a valid command.
            let examples = text.split(separator: "\n").drop { $0 != "examples:" }.dropFirst().prefix { $0.hasPrefix("  ") }
            XCTAssertFalse(examples.isEmpty, command)
            for example in examples {
                guard case .success(let parsed) = CommandParser.parse(String(example), context: .control) else {
                    XCTFail("example '\(example)' does not parse")
                    continue
                }
                XCTAssertEqual(parsed.command.name, command)
            }
        }
    }

    func testEveryCommandInHelpIsKnownToTheParser() {
        for command in self.commands {
            XCTAssertEqual(parsedCommandOrFail("help \(command)")?.command, .help(topic: command))
        }
    }

    func testUnknownTopicGivesTheList() {
        let text = CommandHelp.text(for: "frob")
        XCTAssertTrue(text.hasPrefix("there is no command 'frob'\n"))
        XCTAssertTrue(text.hasSuffix(CommandHelp.text(for: nil)))
    }
}
