/// Parses the text/plain bodies of room-management MESSAGEs into ``ConferenceCommand``s.
///
/// One command per message; words are separated by whitespace; command names and keywords
/// (`pin`, `max`, `owner`, `moderated`, `none`, `all`) are case-insensitive, room names are not.
/// `--json` anywhere asks for a JSON reply; any other word starting with `--` is an error,
/// so a room name cannot start with `--`.
///
/// ```swift
/// let parsed = CommandParser.parse("lock 4200 --json", context: .control)
/// // .success(ParsedCommand(command: .lock(room: "4200"), wantsJSON: true))
/// ```
public enum CommandParser {
    /// The commands that work in an in-dialog MESSAGE from a participant.
    static let participantCommands: Set<String> = ["mute", "unmute", "deaf", "undeaf", "who", "help"]

    /// Parses one message body sent in `context`.
    ///
    /// - Returns: the command and whether the reply should be JSON, or a one-line error that never contains a PIN.
    public static func parse(_ text: String, context: CommandContext) -> Result<ParsedCommand, CommandError> {
        let words = CommandWords(text)
        do {
            let command = try self.command(from: words, context: context)
            return .success(ParsedCommand(command: command, wantsJSON: words.wantsJSON))
        } catch {
            var error = error
            error.wantsJSON = words.wantsJSON
            return .failure(error)
        }
    }

    private static func command(from words: CommandWords, context: CommandContext) throws(CommandError) -> ConferenceCommand {
        if let flag = words.unknownFlag {
            throw CommandError("unknown option \(CommandText.quoted(flag)); only --json is supported")
        }
        guard let typedName = words.words.first else {
            throw CommandError("empty command; send 'help'")
        }
        let name = typedName.lowercased()
        guard CommandHelp.commandNames.contains(name) else {
            // A lone number is likely a PIN sent to the wrong place: do not echo it.
            if CommandSyntax.isASCIIDigits(typedName) {
                throw CommandError("a number is not a command; send 'help' for the list")
            }
            throw CommandError("unknown command \(CommandText.quoted(typedName)); send 'help' for the list")
        }
        var arguments = CommandArguments(command: name, words: Array(words.words.dropFirst()))

        if case .participant = context {
            guard self.participantCommands.contains(name) else {
                throw CommandError("only mute, unmute, deaf, undeaf, who and help work inside a call")
            }
            if arguments.remainingCount == 0, let selfCommand = self.selfServiceCommand(named: name) {
                return selfCommand
            }
        }
        return try self.command(named: name, arguments: &arguments, context: context)
    }

    private static func selfServiceCommand(named name: String) -> ConferenceCommand? {
        switch name {
        case "mute": return .selfMute
        case "unmute": return .selfUnmute
        case "deaf": return .selfDeaf
        case "undeaf": return .selfUndeaf
        default: return nil
        }
    }

    private static func command(
        named name: String,
        arguments: inout CommandArguments,
        context: CommandContext
    ) throws(CommandError) -> ConferenceCommand {
        switch name {
        case "help":
            return try self.help(&arguments)
        case "rooms":
            try arguments.expectEnd()
            return .rooms
        case "info", "who", "destroy", "lock", "unlock":
            let room = try self.room(&arguments, context: context, followedBy: 0)
            try arguments.expectEnd()
            switch name {
            case "info": return .info(room: room)
            case "who": return .who(room: room)
            case "destroy": return .destroy(room: room)
            case "lock": return .lock(room: room)
            default: return .unlock(room: room)
            }
        case "create":
            return try self.create(&arguments, context: context)
        case "pin":
            let room = try self.room(&arguments, context: context, followedBy: 1)
            guard let pin = arguments.nextSecret() else {
                throw arguments.error("missing PIN (or 'none')")
            }
            if pin.lowercased() == "none" {
                try arguments.expectEnd()
                return .setPIN(room: room, pin: nil)
            }
            guard CommandSyntax.isValidPIN(pin) else {
                throw arguments.error("PIN must be 4 to 12 digits, or 'none'")
            }
            try arguments.expectEnd()
            return .setPIN(room: room, pin: pin)
        case "max":
            let room = try self.room(&arguments, context: context, followedBy: 1)
            guard let word = arguments.next() else {
                throw arguments.error("missing N")
            }
            guard let limit = CommandSyntax.participantLimit(word) else {
                throw arguments.error(Self.participantLimitRule)
            }
            try arguments.expectEnd()
            return .setMax(room: room, maxParticipants: limit)
        case "mute", "unmute", "deaf", "undeaf", "kick":
            let room = try self.room(&arguments, context: context, followedBy: 1)
            guard let word = arguments.next() else {
                throw arguments.error("missing WHO")
            }
            guard let selector = CommandSyntax.participantSelector(word) else {
                throw arguments.error("WHO must be a participant number, a SIP URI or 'all'")
            }
            try arguments.expectEnd()
            switch name {
            case "mute": return .mute(room: room, selector)
            case "unmute": return .unmute(room: room, selector)
            case "deaf": return .deaf(room: room, selector)
            case "undeaf": return .undeaf(room: room, selector)
            default: return .kick(room: room, selector)
            }
        case "invite":
            let room = try self.room(&arguments, context: context, followedBy: 1)
            guard let uri = arguments.next() else {
                throw arguments.error("missing SIP-URI")
            }
            guard CommandSyntax.isValidSIPURI(uri) else {
                throw arguments.error(Self.sipURIRule)
            }
            try arguments.expectEnd()
            return .invite(room: room, uri: uri)
        case "move":
            let room = try self.room(&arguments, context: context, followedBy: 2)
            guard let word = arguments.next() else {
                throw arguments.error("missing WHO")
            }
            guard let selector = CommandSyntax.participantSelector(word) else {
                throw arguments.error("WHO must be a participant number, a SIP URI or 'all'")
            }
            guard let target = arguments.next() else {
                throw arguments.error("missing TO-ROOM")
            }
            guard CommandSyntax.isValidRoom(target) else {
                throw arguments.error("TO-ROOM: " + Self.roomRule)
            }
            try arguments.expectEnd()
            return .move(room: room, selector, to: target)
        case "record":
            let room = try self.room(&arguments, context: context, followedBy: 1)
            guard let word = arguments.next()?.lowercased(), word == "start" || word == "stop" else {
                throw arguments.error("say 'start' or 'stop'")
            }
            try arguments.expectEnd()
            return .record(room: room, start: word == "start")
        case "recordings":
            let room = try self.room(&arguments, context: context, followedBy: 0)
            try arguments.expectEnd()
            return .recordings(room: room)
        default:
            // Unreachable while `CommandHelp.commandNames` and this switch agree; the tests check they do.
            throw CommandError("unknown command \(CommandText.quoted(name)); send 'help' for the list")
        }
    }

    static let participantLimitRule = "N must be a number from 2 to 10000"
    static let sipURIRule = "SIP-URI must be sip: or sips: with a host, like sip:alice@example.com"
    static let roomRule = "ROOM must be 1 to 64 characters of A-Z a-z 0-9 . _ -"

    /// The ROOM argument, where `required` words must still follow it.
    ///
    /// On a room's address ROOM is optional: it is there when more than `required` words are left,
    /// which resolves `mute 3` (WHO only) against `mute 4200 3` (ROOM and WHO).
    private static func room(
        _ arguments: inout CommandArguments,
        context: CommandContext,
        followedBy required: Int
    ) throws(CommandError) -> String {
        let contextRoom = context.room
        if let contextRoom, arguments.remainingCount <= required {
            return contextRoom
        }
        guard let word = arguments.next() else {
            throw arguments.error("missing ROOM")
        }
        guard CommandSyntax.isValidRoom(word) else {
            throw arguments.error(Self.roomRule)
        }
        if let contextRoom, word != contextRoom {
            throw CommandError("this address controls room \(contextRoom) only")
        }
        return word
    }

    private static func help(_ arguments: inout CommandArguments) throws(CommandError) -> ConferenceCommand {
        guard let topic = arguments.next() else {
            return .help(topic: nil)
        }
        let name = topic.lowercased()
        guard CommandHelp.commandNames.contains(name) else {
            if CommandSyntax.isASCIIDigits(topic) {
                throw arguments.error("a number is not a command; send 'help' for the list")
            }
            throw arguments.error("unknown command \(CommandText.quoted(topic)); send 'help' for the list")
        }
        try arguments.expectEnd()
        return .help(topic: name)
    }
}
