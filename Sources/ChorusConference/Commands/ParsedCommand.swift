/// A command parsed from a MESSAGE body, with how its reply should be rendered.
public struct ParsedCommand: Equatable, Sendable {
    /// What to do.
    public var command: ConferenceCommand
    /// Whether `--json` appeared anywhere in the body.
    public var wantsJSON: Bool

    /// Creates a parsed command.
    public init(command: ConferenceCommand, wantsJSON: Bool = false) {
        self.command = command
        self.wantsJSON = wantsJSON
    }
}
