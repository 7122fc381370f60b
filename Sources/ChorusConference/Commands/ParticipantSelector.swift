/// The WHO argument of `mute`, `unmute`, `deaf`, `undeaf` and `kick`.
public enum ParticipantSelector: Equatable, Sendable {
    /// A participant by the number shown by `info` and `who` (1 and up).
    case number(Int)
    /// A participant by SIP URI (`sip:` or `sips:`), exactly as given.
    case uri(String)
    /// Every participant of the room.
    case all
}
