import ChorusConference

/// Rooms and participants shared by the reply tests.
enum CommandReplyFixtures {
    static let standup = RoomSummary(
        id: "standup", displayName: "Daily standup", participants: 2, maxParticipants: 20,
        locked: true, moderated: false, hasPIN: true)
    static let lobby = RoomSummary(id: "4200", participants: 0, maxParticipants: 10000)

    static let alice = ParticipantSummary(
        number: 1, displayName: "Alice", uri: "sip:alice@example.com", codec: "opus/48000/2", srtp: true,
        muted: true, deaf: false, talking: true, joinedAt: "2026-11-25T09:30:00Z", lossPercent: 1.25, jitterMs: 12.5,
        inLobby: false)
    static let bob = ParticipantSummary(
        number: 12, uri: "sips:bob@[2001:db8::1]:5061", codec: "PCMU/8000", joinedAt: "2026-11-25T09:31:05Z")

    static let details = RoomDetails(
        room: standup, owners: ["sip:alice@example.com", "sip:carol@example.com"], participants: [alice, bob])
}
