/// Where a command was sent, which decides what it may do and which room it defaults to.
public enum CommandContext: Equatable, Sendable {
    /// A MESSAGE to the control URI (`sip:chorus@host`): server-wide; commands about a room must name it.
    case control
    /// A MESSAGE to a room's URI (`sip:ROOM@host`): the ROOM argument may be left out, and if given must be this room.
    case room(String)
    /// An in-dialog MESSAGE from a participant of this room: only the self-service commands and `who`/`help` work.
    case participant(room: String)

    /// The room this context is bound to, or `nil` for the control URI.
    public var room: String? {
        switch self {
        case .control:
            return nil
        case .room(let room), .participant(let room):
            return room
        }
    }
}
