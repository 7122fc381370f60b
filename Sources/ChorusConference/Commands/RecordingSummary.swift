/// One recording as listed by `recordings`.
///
/// JSON keys (all always present): `file`, `room`, `startedAt`, `bytes`, `inProgress`.
public struct RecordingSummary: Codable, Equatable, Sendable {
    /// The file name, in the room's folder under the recordings directory.
    public var file: String
    /// The room recorded.
    public var room: String
    /// When the recording started, ISO 8601 in UTC.
    public var startedAt: String
    /// The file's size now.
    public var bytes: Int
    /// Whether the room is still being recorded into it.
    public var inProgress: Bool

    public init(file: String, room: String, startedAt: String, bytes: Int, inProgress: Bool) {
        self.file = file
        self.room = room
        self.startedAt = startedAt
        self.bytes = bytes
        self.inProgress = inProgress
    }
}
