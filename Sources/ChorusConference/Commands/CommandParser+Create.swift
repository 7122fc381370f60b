extension CommandParser {
    /// The options of `create`, which may come in any order after ROOM.
    private enum CreateOption: String {
        case pin, max, owner, moderated
    }

    /// `create ROOM [pin PIN] [max N] [owner SIP-URI]... [moderated]`
    static func create(_ arguments: inout CommandArguments, context: CommandContext) throws(CommandError) -> ConferenceCommand {
        let room: String
        // On a room's address `create pin 1234` leaves ROOM out; a room named like an option
        // is still reachable by naming it, since the address's own room is taken first.
        if let contextRoom = context.room, let first = arguments.peek(), first != contextRoom,
            CreateOption(rawValue: first.lowercased()) != nil
        {
            room = contextRoom
        } else {
            room = try self.createRoom(&arguments, context: context)
        }

        var pin: String?
        var maxParticipants: Int?
        var owners: [String] = []
        var moderated = false
        while let word = arguments.peek() {
            guard let option = CreateOption(rawValue: word.lowercased()) else {
                throw arguments.unexpectedWord()
            }
            _ = arguments.next()
            switch option {
            case .pin:
                guard pin == nil else { throw arguments.error("'pin' given twice") }
                guard let value = arguments.nextSecret() else {
                    throw arguments.error("'pin' must be followed by a PIN of 4 to 12 digits")
                }
                guard CommandSyntax.isValidPIN(value) else {
                    throw arguments.error("PIN must be 4 to 12 digits")
                }
                pin = value
            case .max:
                guard maxParticipants == nil else { throw arguments.error("'max' given twice") }
                guard let value = arguments.next() else {
                    throw arguments.error("'max' must be followed by N, a number from 2 to 10000")
                }
                guard let limit = CommandSyntax.participantLimit(value) else {
                    throw arguments.error(Self.participantLimitRule)
                }
                maxParticipants = limit
            case .owner:
                guard let value = arguments.next() else {
                    throw arguments.error("'owner' must be followed by a SIP URI")
                }
                guard CommandSyntax.isValidSIPURI(value) else {
                    throw arguments.error("owner must be sip: or sips: with a host, like sip:alice@example.com")
                }
                if !owners.contains(value) {
                    owners.append(value)
                }
            case .moderated:
                guard !moderated else { throw arguments.error("'moderated' given twice") }
                moderated = true
            }
        }
        return .create(room: room, pin: pin, maxParticipants: maxParticipants, owners: owners, moderated: moderated)
    }

    /// ROOM of `create`: required on the control address, optional on a room's address.
    private static func createRoom(_ arguments: inout CommandArguments, context: CommandContext) throws(CommandError) -> String {
        let contextRoom = context.room
        guard let word = arguments.peek() else {
            if let contextRoom {
                return contextRoom
            }
            throw arguments.error("missing ROOM")
        }
        _ = arguments.next()
        guard CommandSyntax.isValidRoom(word) else {
            throw arguments.error(Self.roomRule)
        }
        if let contextRoom, word != contextRoom {
            throw CommandError("this address controls room \(contextRoom) only")
        }
        return word
    }
}
