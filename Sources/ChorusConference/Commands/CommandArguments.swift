/// Reads the arguments of one command from left to right and phrases its errors.
///
/// It remembers the words read so far so that "unexpected word" errors can say where they happened;
/// PINs are remembered as `****` so they never reach an error message.
struct CommandArguments {
    /// The command word, lowercased: the prefix of every error.
    let command: String
    private let words: [String]
    private var position: Int
    private var readSoFar: [String]

    init(command: String, words: [String]) {
        self.command = command
        self.words = words
        self.position = 0
        self.readSoFar = [command]
    }

    /// How many words are left.
    var remainingCount: Int { self.words.count - self.position }

    /// The next word, without taking it.
    func peek() -> String? {
        self.position < self.words.count ? self.words[self.position] : nil
    }

    /// Takes the next word.
    mutating func next() -> String? {
        guard let word = self.peek() else { return nil }
        self.position += 1
        self.readSoFar.append(word)
        return word
    }

    /// Takes the next word, which is a secret (a PIN) and must not appear in later errors.
    mutating func nextSecret() -> String? {
        guard let word = self.peek() else { return nil }
        self.position += 1
        self.readSoFar.append("****")
        return word
    }

    /// An error about this command: `"<command>: <detail>"`.
    func error(_ detail: String) -> CommandError {
        CommandError("\(self.command): \(detail)")
    }

    /// The error for the next word, which the command did not expect.
    func unexpectedWord() -> CommandError {
        let after = self.readSoFar.joined(separator: " ")
        guard let word = self.peek() else { return CommandError("unexpected end after \(after)") }
        // A stray number may be a PIN typed in the wrong place: name it without echoing it.
        if CommandSyntax.looksLikePIN(word) {
            return CommandError("unexpected number after \(after)")
        }
        return CommandError("unexpected word \(CommandText.quoted(word)) after \(after)")
    }

    /// Fails unless every word has been read.
    func expectEnd() throws(CommandError) {
        if self.remainingCount > 0 {
            throw self.unexpectedWord()
        }
    }
}
