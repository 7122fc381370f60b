/// A message body split into words, with the `--json` flag taken out.
struct CommandWords {
    /// The words in order, without flags.
    var words: [String]
    /// Whether `--json` appeared anywhere.
    var wantsJSON: Bool
    /// The first flag other than `--json`, which is an error.
    var unknownFlag: String?

    init(_ text: String) {
        self.words = []
        self.wantsJSON = false
        self.unknownFlag = nil
        for word in text.split(whereSeparator: \.isWhitespace) {
            if word.lowercased() == "--json" {
                self.wantsJSON = true
            } else if word.hasPrefix("--") {
                self.unknownFlag = self.unknownFlag ?? String(word)
            } else {
                self.words.append(String(word))
            }
        }
    }
}
