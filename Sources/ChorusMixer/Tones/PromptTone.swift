/// The short cues a conference plays to participants, generated at 48 kHz mono.
///
/// Every tone is a few sine notes with 5 ms raised-cosine fades, so that it starts and ends
/// at zero and never clicks, at about -20 dBFS peak (the waiting tone a little softer):
/// audible over speech without startling anyone.
public enum PromptTone: Sendable, Hashable, CaseIterable {
    /// Someone joined: a rising two-note chime, 660 then 880 Hz, 80 ms each.
    case join
    /// Someone left: the falling chime, 880 then 660 Hz.
    case leave
    /// A command worked: one 1000 Hz beep of 120 ms.
    case confirm
    /// A command failed: two 400 Hz beeps of 100 ms.
    case error
    /// "Enter your PIN": three short 800 Hz pips, every 4 s while in the lobby.
    case lobbyPrompt
    /// "Please wait for the moderator": a soft 440 Hz tone of 300 ms, every 3 s.
    case waiting
    /// Recording started: 740 then 988 Hz, the second note longer.
    case recordingStarted
    /// Recording stopped: 988 then 740 Hz.
    case recordingStopped
}

extension PromptTone {
    /// The sample rate of every tone.
    public static let sampleRate = 48_000

    /// One play of the tone: the samples ``TonePlayer`` adds to a frame.
    public var samples: [Int16] {
        ToneTables.samples(of: self)
    }

    /// Samples from the start of one play to the start of the next when the tone repeats.
    public var repeatIntervalSamples: Int {
        self.repeatIntervalMilliseconds * Self.sampleRate / 1000
    }

    /// How often ``lobbyPrompt`` and ``waiting`` come back; the others leave a second of quiet.
    var repeatIntervalMilliseconds: Int {
        switch self {
        case .lobbyPrompt: 4000
        case .waiting: 3000
        case .join, .leave, .confirm, .error, .recordingStarted, .recordingStopped: 1000
        }
    }

    /// Peak amplitude relative to full scale: -20 dBFS, the waiting tone -26 dBFS (it repeats
    /// for as long as the moderator takes, so it should not nag).
    var amplitude: Double {
        switch self {
        case .waiting: 0.05
        default: 0.1
        }
    }

    /// The notes in order; a note of frequency 0 is a pause.
    var notes: [ToneNote] {
        switch self {
        case .join: [ToneNote(660, 80), ToneNote(880, 80)]
        case .leave: [ToneNote(880, 80), ToneNote(660, 80)]
        case .confirm: [ToneNote(1000, 120)]
        case .error: [ToneNote(400, 100), ToneNote(0, 60), ToneNote(400, 100)]
        case .lobbyPrompt: [ToneNote(800, 60), ToneNote(0, 60), ToneNote(800, 60), ToneNote(0, 60), ToneNote(800, 60)]
        case .waiting: [ToneNote(440, 300)]
        case .recordingStarted: [ToneNote(740, 150), ToneNote(0, 60), ToneNote(988, 250)]
        case .recordingStopped: [ToneNote(988, 150), ToneNote(0, 60), ToneNote(740, 250)]
        }
    }
}

/// One sine note (or pause) of a ``PromptTone``.
struct ToneNote: Sendable {
    var frequency: Double
    var milliseconds: Int

    init(_ frequency: Double, _ milliseconds: Int) {
        self.frequency = frequency
        self.milliseconds = milliseconds
    }
}
