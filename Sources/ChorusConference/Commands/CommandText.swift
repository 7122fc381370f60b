/// Small helpers to put user-supplied words into one-line messages.
enum CommandText {
    /// The longest word echoed in full; longer ones are cut, so an error stays one readable line.
    static let longestEchoedWord = 40

    /// `'word'`, cut to ``longestEchoedWord`` characters and with control characters replaced,
    /// because the word comes from the network and the message goes back to a terminal or a log.
    static func quoted(_ word: String) -> String {
        var shown = String(singleLine(word).prefix(longestEchoedWord))
        if word.count > longestEchoedWord {
            shown += "…"
        }
        return "'\(shown)'"
    }

    /// The text with newlines and other control characters replaced by spaces.
    static func singleLine(_ text: String) -> String {
        String(
            text.map { character -> Character in
                let isControl = character.isNewline
                    || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
                return isControl ? " " : character
            }
        )
    }
}
