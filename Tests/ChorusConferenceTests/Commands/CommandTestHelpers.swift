import ChorusConference
import XCTest

/// The command parsed from `text`, failing the test if parsing fails.
func parsedCommandOrFail(
    _ text: String, in context: CommandContext = .control, file: StaticString = #filePath, line: UInt = #line
) -> ParsedCommand? {
    switch CommandParser.parse(text, context: context) {
    case .success(let parsed):
        return parsed
    case .failure(let error):
        XCTFail("'\(text)' failed: \(error.message)", file: file, line: line)
        return nil
    }
}

/// The error message for `text`, failing the test if parsing succeeds.
func commandErrorOrFail(
    _ text: String, in context: CommandContext = .control, file: StaticString = #filePath, line: UInt = #line
) -> String? {
    switch CommandParser.parse(text, context: context) {
    case .success(let parsed):
        XCTFail("'\(text)' parsed as \(parsed.command)", file: file, line: line)
        return nil
    case .failure(let error):
        return error.message
    }
}
