/// One participant as listed by `info` and `who`.
///
/// JSON keys (all always present; `displayName`, `lossPercent` and `jitterMs` may be `null`):
/// `number`, `displayName`, `uri`, `codec`, `srtp`, `muted`, `deaf`, `talking`, `joinedAt`,
/// `lossPercent`, `jitterMs`, `inLobby`.
public struct ParticipantSummary: Codable, Equatable, Sendable {
    /// The number WHO refers to in `mute`, `kick` and the others.
    public var number: Int
    /// The display name from the participant's From header, if any.
    public var displayName: String?
    /// The participant's SIP URI.
    public var uri: String
    /// The negotiated codec, e.g. `opus/48000/2` or `PCMU/8000`.
    public var codec: String
    /// Whether the media is encrypted with SRTP.
    public var srtp: Bool
    /// Whether the room does not hear the participant.
    public var muted: Bool
    /// Whether the participant does not hear the room.
    public var deaf: Bool
    /// Whether the participant is talking right now.
    public var talking: Bool
    /// When the participant joined, ISO 8601 in UTC (e.g. `2026-11-25T09:30:00Z`).
    public var joinedAt: String
    /// Inbound packet loss in percent, when known.
    public var lossPercent: Double?
    /// Inbound interarrival jitter in milliseconds, when known.
    public var jitterMs: Double?
    /// Whether the participant waits in the lobby rather than being in the mix.
    public var inLobby: Bool

    /// Creates a participant summary.
    public init(
        number: Int, displayName: String? = nil, uri: String, codec: String, srtp: Bool = false,
        muted: Bool = false, deaf: Bool = false, talking: Bool = false, joinedAt: String,
        lossPercent: Double? = nil, jitterMs: Double? = nil, inLobby: Bool = false
    ) {
        self.number = number
        self.displayName = displayName
        self.uri = uri
        self.codec = codec
        self.srtp = srtp
        self.muted = muted
        self.deaf = deaf
        self.talking = talking
        self.joinedAt = joinedAt
        self.lossPercent = lossPercent
        self.jitterMs = jitterMs
        self.inLobby = inLobby
    }

    enum CodingKeys: String, CodingKey {
        case number, displayName, uri, codec, srtp, muted, deaf, talking, joinedAt, lossPercent, jitterMs, inLobby
    }

    /// Encodes every key, with `null` for unknown values so the key set never changes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.number, forKey: .number)
        try container.encode(self.displayName, forKey: .displayName)
        try container.encode(self.uri, forKey: .uri)
        try container.encode(self.codec, forKey: .codec)
        try container.encode(self.srtp, forKey: .srtp)
        try container.encode(self.muted, forKey: .muted)
        try container.encode(self.deaf, forKey: .deaf)
        try container.encode(self.talking, forKey: .talking)
        try container.encode(self.joinedAt, forKey: .joinedAt)
        // JSON has no NaN or infinity, and JSONEncoder throws on them: a statistic that is not finite is unknown.
        try container.encode(self.lossPercent.flatMap { $0.isFinite ? $0 : nil }, forKey: .lossPercent)
        try container.encode(self.jitterMs.flatMap { $0.isFinite ? $0 : nil }, forKey: .jitterMs)
        try container.encode(self.inLobby, forKey: .inLobby)
    }
}
