extension ConferenceCommand {
    /// The command word, as listed by `help` (e.g. `pin` for ``setPIN(room:pin:)``); safe to log.
    public var name: String {
        switch self {
        case .help: return "help"
        case .rooms: return "rooms"
        case .info: return "info"
        case .who: return "who"
        case .create: return "create"
        case .destroy: return "destroy"
        case .lock: return "lock"
        case .unlock: return "unlock"
        case .setPIN: return "pin"
        case .setMax: return "max"
        case .mute, .selfMute: return "mute"
        case .unmute, .selfUnmute: return "unmute"
        case .deaf, .selfDeaf: return "deaf"
        case .undeaf, .selfUndeaf: return "undeaf"
        case .kick: return "kick"
        case .invite: return "invite"
        case .move: return "move"
        case .record: return "record"
        case .recordings: return "recordings"
        }
    }

    /// The room the command concerns, so the server can check that the sender owns it.
    ///
    /// `nil` for `help`, `rooms` and the self-service commands, which concern no room by name.
    public var room: String? {
        switch self {
        case .help, .rooms, .selfMute, .selfUnmute, .selfDeaf, .selfUndeaf:
            return nil
        case .info(let room), .who(let room), .destroy(let room), .lock(let room), .unlock(let room),
            .setPIN(let room, _), .setMax(let room, _), .invite(let room, _), .move(let room, _, _), .record(let room, _),
            .recordings(let room),
            .mute(let room, _), .unmute(let room, _), .deaf(let room, _), .undeaf(let room, _), .kick(let room, _):
            return room
        case .create(let room, _, _, _, _):
            return room
        }
    }

    /// Whether only an administrator may run the command: `create`, `destroy` and `rooms`.
    ///
    /// The other commands with a ``room`` need an administrator or an owner of that room;
    /// those without one (`help` and the self-service commands) need no privilege.
    public var needsAdmin: Bool {
        switch self {
        case .create, .destroy, .rooms:
            return true
        default:
            return false
        }
    }

    /// Whether the command acts only on the participant who sent it (`mute` etc. without arguments inside a call).
    public var isSelfService: Bool {
        switch self {
        case .selfMute, .selfUnmute, .selfDeaf, .selfUndeaf:
            return true
        default:
            return false
        }
    }
}
