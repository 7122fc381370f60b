extension CommandReply {
    /// The human-readable body.
    func textBody() -> String {
        switch self {
        case .ok(let message):
            return CommandText.singleLine(message)
        case .error(let message):
            return "error: \(CommandText.singleLine(message))"
        case .help(let text):
            return text
        case .rooms(let rooms):
            return Self.roomsText(rooms)
        case .details(let details):
            return Self.detailsText(details)
        case .who(let participants):
            return Self.whoText(participants)
        case .recordings(let recordings):
            guard !recordings.isEmpty else { return "no recordings" }
            var table = TextTable(header: ["FILE", "STARTED", "BYTES", "STATE"])
            for recording in recordings {
                table.rows.append([recording.file, recording.startedAt, "\(recording.bytes)", recording.inProgress ? "recording" : "-"])
            }
            return table.rendered()
        }
    }

    private static func roomsText(_ rooms: [RoomSummary]) -> String {
        guard !rooms.isEmpty else { return "no rooms" }
        var table = TextTable(header: ["ROOM", "NAME", "PEOPLE", "LOCKED", "MODERATED", "PIN"])
        for room in rooms {
            table.rows.append([
                room.id, room.displayName ?? "-", "\(room.participants)/\(room.maxParticipants)",
                yesNo(room.locked), yesNo(room.moderated), yesNo(room.hasPIN),
            ])
        }
        return table.rendered()
    }

    private static func detailsText(_ details: RoomDetails) -> String {
        let room = details.room
        var title = "room \(room.id)"
        if let name = room.displayName {
            title += " (\(CommandText.singleLine(name)))"
        }
        var lines = [
            title,
            "participants: \(room.participants) of \(room.maxParticipants)",
            "locked: \(yesNo(room.locked))  moderated: \(yesNo(room.moderated))  PIN: \(yesNo(room.hasPIN))",
            "owners: " + (details.owners.isEmpty ? "none" : details.owners.map(CommandText.singleLine).joined(separator: ", ")),
            "recording: \(yesNo(details.recording))",
        ]
        if !details.participants.isEmpty {
            var table = TextTable(header: ["#", "NAME", "URI", "CODEC", "SRTP", "STATE", "JOINED", "LOSS", "JITTER"])
            for participant in details.participants {
                table.rows.append([
                    "\(participant.number)", participant.displayName ?? "-", participant.uri, participant.codec,
                    yesNo(participant.srtp), state(of: participant), participant.joinedAt,
                    participant.lossPercent.map { "\(formatted($0))%" } ?? "-",
                    participant.jitterMs.map { "\(formatted($0)) ms" } ?? "-",
                ])
            }
            lines.append("")
            lines.append(table.rendered())
        }
        return lines.joined(separator: "\n")
    }

    private static func whoText(_ participants: [ParticipantSummary]) -> String {
        guard !participants.isEmpty else { return "nobody is in the room" }
        var table = TextTable(header: ["#", "NAME", "URI", "STATE"])
        for participant in participants {
            table.rows.append(["\(participant.number)", participant.displayName ?? "-", participant.uri, state(of: participant)])
        }
        return table.rendered()
    }

    /// `muted, deaf, talking, lobby` as they apply, or `-`: one column instead of four mostly-empty ones.
    private static func state(of participant: ParticipantSummary) -> String {
        var words: [String] = []
        if participant.inLobby { words.append("lobby") }
        if participant.muted { words.append("muted") }
        if participant.deaf { words.append("deaf") }
        if participant.talking { words.append("talking") }
        return words.isEmpty ? "-" : words.joined(separator: ",")
    }

    private static func yesNo(_ value: Bool) -> String {
        value ? "yes" : "no"
    }

    /// One decimal place, without Foundation's locale-dependent formatting.
    private static func formatted(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let tenths = (value * 10).rounded()
        let sign = tenths < 0 ? "-" : ""
        let magnitude = Int(abs(tenths))
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
