import ChorusMixer

/// Whether a participant takes part in the room's audio yet.
///
/// Outside the mix a participant is neither heard nor hears the room; instead they hear a
/// repeating cue, so they know the call is alive and what they are waiting for.
public enum ParticipantAdmission: Sendable, Equatable {
    /// In the conference: heard and hearing, as their controls say.
    case mixed
    /// Entering the room's PIN: hears only the repeating ``ChorusMixer/PromptTone/lobbyPrompt``.
    case lobby
    /// In a moderated room before the moderator came: hears only the repeating
    /// ``ChorusMixer/PromptTone/waiting`` tone.
    case waiting
}

extension ParticipantAdmission {
    /// The cue played for as long as the participant is kept out, if they are.
    var repeatingPrompt: PromptTone? {
        switch self {
        case .mixed: nil
        case .lobby: .lobbyPrompt
        case .waiting: .waiting
        }
    }
}
