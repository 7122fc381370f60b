/// Why a command could not be parsed: one line meant for the person who sent it.
///
/// The message never contains a PIN, so it is safe to send back and to log.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The single-line explanation, e.g. `create: missing ROOM`.
    public let message: String
    /// Whether the sender asked for `--json`, so the error can be answered in the format they expect.
    public var wantsJSON: Bool

    /// Creates an error with a one-line `message`.
    public init(_ message: String, wantsJSON: Bool = false) {
        self.message = message
        self.wantsJSON = wantsJSON
    }

    /// The message, so the error prints as what the sender will read.
    public var description: String { self.message }
}
