/// The reason an SDP body could not be parsed.
public struct SDPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line the problem was found on; 0 when it concerns the body as a whole.
    public var line: Int

    /// A human readable explanation that starts with the line, e.g. `"line 4: m= line has no formats"`.
    public var reason: String

    /// Creates an error from its parts; `reason` is used as given.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// Prefixes the problem with its line number, so every message reads the same way.
    init(line: Int, problem: String) {
        self.line = line
        self.reason = line > 0 ? "line \(line): \(problem)" : problem
    }

    /// The same text as `reason`.
    public var description: String { self.reason }
}
