/// The text of `help`: a list of every command with one line each, and usage with examples per command.
public enum CommandHelp {
    /// One command's help.
    struct Entry {
        /// The command word.
        var name: String
        /// The grammar, e.g. `lock ROOM`.
        var usage: String
        /// What it does, in one line.
        var summary: String
        /// Further notes shown by `help COMMAND`.
        var notes: [String]
        /// Complete example messages.
        var examples: [String]
    }

    /// Every command in the order `help` lists them.
    static let entries: [Entry] = [
        Entry(
            name: "help", usage: "help [COMMAND]", summary: "this list, or usage and examples for one command",
            notes: [], examples: ["help", "help create"]),
        Entry(
            name: "rooms", usage: "rooms", summary: "list all rooms (admin)",
            notes: [], examples: ["rooms", "rooms --json"]),
        Entry(
            name: "info", usage: "info [ROOM]", summary: "a room's settings, owners and participants",
            notes: ["The participant numbers shown here are what WHO means in mute, kick and the others."],
            examples: ["info 4200"]),
        Entry(
            name: "who", usage: "who [ROOM]", summary: "who is in the room, short form",
            notes: ["Inside a call, 'who' lists the people in your room."], examples: ["who 4200"]),
        Entry(
            name: "create", usage: "create ROOM [pin PIN] [max N] [owner SIP-URI]... [moderated]",
            summary: "make a new room (admin)",
            notes: [
                "Options come in any order; 'owner' may be repeated.",
                "Owners may manage the room (lock, pin, mute, kick, ...) without being admins.",
                "'moderated' marks the room as moderated.",
            ],
            examples: ["create 4200", "create standup max 20 pin 2468 owner sip:alice@example.com owner sip:bob@example.com moderated"]),
        Entry(
            name: "destroy", usage: "destroy ROOM", summary: "hang up everyone in the room and remove it (admin)",
            notes: [], examples: ["destroy 4200"]),
        Entry(
            name: "lock", usage: "lock ROOM", summary: "let nobody new join the room",
            notes: [], examples: ["lock 4200"]),
        Entry(
            name: "unlock", usage: "unlock ROOM", summary: "let people join the room again",
            notes: [], examples: ["unlock 4200"]),
        Entry(
            name: "pin", usage: "pin ROOM PIN|none", summary: "set the room's PIN (4 to 12 digits), or remove it",
            notes: ["People already in the room stay."], examples: ["pin 4200 13579", "pin 4200 none"]),
        Entry(
            name: "max", usage: "max ROOM N", summary: "set how many people may be in the room (2 to 10000)",
            notes: ["Nobody is hung up when N is below the current number of participants."], examples: ["max 4200 25"]),
        Entry(
            name: "mute", usage: "mute ROOM WHO", summary: "stop mixing WHO's voice into the room",
            notes: ["Inside a call, 'mute' alone mutes you."], examples: ["mute 4200 3", "mute 4200 all", "mute 4200 sip:bob@example.com"]),
        Entry(
            name: "unmute", usage: "unmute ROOM WHO", summary: "mix WHO's voice into the room again",
            notes: ["Inside a call, 'unmute' alone unmutes you."], examples: ["unmute 4200 3"]),
        Entry(
            name: "deaf", usage: "deaf ROOM WHO", summary: "stop sending the room's audio to WHO",
            notes: ["Inside a call, 'deaf' alone makes you deaf."], examples: ["deaf 4200 3"]),
        Entry(
            name: "undeaf", usage: "undeaf ROOM WHO", summary: "send the room's audio to WHO again",
            notes: ["Inside a call, 'undeaf' alone lets you hear again."], examples: ["undeaf 4200 3"]),
        Entry(
            name: "kick", usage: "kick ROOM WHO", summary: "hang up on WHO",
            notes: [], examples: ["kick 4200 3", "kick 4200 sip:bob@example.com"]),
        Entry(
            name: "invite", usage: "invite ROOM SIP-URI", summary: "have the server call SIP-URI into the room",
            notes: ["dialout.allowed_domains limits where Chorus may call."], examples: ["invite 4200 sip:carol@example.com"]),
        Entry(
            name: "move", usage: "move ROOM WHO TO-ROOM", summary: "move WHO into another room",
            notes: [
                "Chorus asks the phone by REFER to call TO-ROOM, and ends the old call once it has.",
                "Phones that refuse REFER are moved by Chorus itself (a re-INVITE), in the same call.",
            ],
            examples: ["move 4200 3 4300", "move 4200 all breakout"]),
        Entry(
            name: "record", usage: "record ROOM start|stop", summary: "start or stop recording the room",
            notes: [
                "The room's mix goes to an Ogg Opus file in the data directory; everyone hears a tone.",
                "Recording ends when the room does.",
            ],
            examples: ["record 4200 start", "record 4200 stop"]),
        Entry(
            name: "recordings", usage: "recordings ROOM", summary: "list the room's recordings",
            notes: [], examples: ["recordings 4200", "recordings 4200 --json"]),
    ]

    /// Every command word, for the parser and for `help COMMAND`.
    static let commandNames: Set<String> = Set(entries.map(\.name))

    /// What the words in capitals mean, shown under the list and under each command.
    static let argumentNotes = [
        "ROOM     1 to 64 characters of A-Z a-z 0-9 . _ - (may be left out when sent to the room's own address)",
        "WHO      a participant number as shown by 'info', a SIP URI, or 'all'",
        "PIN      4 to 12 digits",
        "N        a number from 2 to 10000",
        "SIP-URI  sip: or sips: with a host, like sip:alice@example.com",
    ]

    /// The help text: every command with one line each when `topic` is `nil`,
    /// otherwise usage, notes and examples of that command (case-insensitive).
    ///
    /// An unknown topic gives the full list, headed by a line saying the command does not exist.
    public static func text(for topic: String?) -> String {
        guard let topic else {
            return self.listText()
        }
        guard let entry = self.entries.first(where: { $0.name == topic.lowercased() }) else {
            return "there is no command \(CommandText.quoted(topic))\n\n" + self.listText()
        }
        var lines = ["usage: \(entry.usage)", entry.summary]
        lines += entry.notes
        lines.append("")
        lines.append("examples:")
        lines += entry.examples.map { "  \($0)" }
        lines.append("")
        lines += self.argumentNotes
        lines.append("Add --json anywhere for a JSON reply.")
        return lines.joined(separator: "\n")
    }

    private static func listText() -> String {
        let width = self.entries.map(\.usage.count).max() ?? 0
        var lines = ["Chorus commands (one per message; add --json anywhere for a JSON reply):"]
        for entry in self.entries {
            let padding = String(repeating: " ", count: width - entry.usage.count)
            lines.append("  \(entry.usage)\(padding)  \(entry.summary)")
        }
        lines.append("")
        lines += self.argumentNotes
        lines.append("Inside a call only mute, unmute, deaf, undeaf, who and help work; mute etc. alone act on you.")
        lines.append("Send 'help COMMAND' for details and examples.")
        return lines.joined(separator: "\n")
    }
}
