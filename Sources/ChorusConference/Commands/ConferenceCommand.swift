/// One room-management command, validated and ready for the server to execute.
///
/// Room names, PINs, numbers and URIs in here have already passed the checks of ``CommandParser``.
public enum ConferenceCommand: Equatable, Sendable {
    /// `help [COMMAND]`: the command list, or usage for one command (`topic` is lowercased).
    case help(topic: String?)
    /// `rooms`: all rooms (admin only).
    case rooms
    /// `info [ROOM]`: a room's settings, owners and participants.
    case info(room: String)
    /// `who`: the participants of a room, short form.
    case who(room: String)
    /// `create ROOM [pin PIN] [max N] [owner SIP-URI]... [moderated]` (admin only).
    case create(room: String, pin: String?, maxParticipants: Int?, owners: [String], moderated: Bool)
    /// `destroy ROOM`: ends every call in the room and removes it (admin only).
    case destroy(room: String)
    /// `lock ROOM`: nobody new may join.
    case lock(room: String)
    /// `unlock ROOM`: undoes `lock`.
    case unlock(room: String)
    /// `pin ROOM PIN|none`: sets or (with `nil`) removes the room's PIN.
    case setPIN(room: String, pin: String?)
    /// `max ROOM N`: sets the room's participant limit.
    case setMax(room: String, maxParticipants: Int)
    /// `mute ROOM WHO`
    case mute(room: String, ParticipantSelector)
    /// `unmute ROOM WHO`
    case unmute(room: String, ParticipantSelector)
    /// `deaf ROOM WHO`: the participant stops hearing the room.
    case deaf(room: String, ParticipantSelector)
    /// `undeaf ROOM WHO`
    case undeaf(room: String, ParticipantSelector)
    /// `kick ROOM WHO`: hangs up on the participant.
    case kick(room: String, ParticipantSelector)
    /// `invite ROOM SIP-URI`: the server calls the URI into the room.
    case invite(room: String, uri: String)
    /// `move ROOM WHO TO-ROOM`: the participants go to another room (by REFER, or by re-INVITE).
    case move(room: String, ParticipantSelector, to: String)
    /// `record ROOM start|stop`: records the room's mix, or stops.
    case record(room: String, start: Bool)
    /// `recordings ROOM`: the room's recordings.
    case recordings(room: String)
    /// `mute` sent by a participant inside their call: mutes the sender.
    case selfMute
    /// `unmute` sent by a participant inside their call.
    case selfUnmute
    /// `deaf` sent by a participant inside their call.
    case selfDeaf
    /// `undeaf` sent by a participant inside their call.
    case selfUndeaf
}
