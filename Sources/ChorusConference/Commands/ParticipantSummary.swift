/// One participant as listed by `info` and `who`.
///
/// JSON keys (all always present; `displayName`, `lossPercent` and `jitterMs` may be `null`):
/// `number`, `displayName`, `uri`, `codec`, `srtp`, `muted`, `deaf`, `talking`, `joinedAt`,
/// `lossPercent`, `jitterMs`, `inLobby`, and the roster fields the conference event package
/// (RFC 4575) sends too: `entity`, `endpoint`, `status`, `joiningMethod`, `mediaStatus`,
/// `mediaLabel`, `ssrc` (may be `null`).
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
    /// The user's address (RFC 4575 `user entity`): their From URI, or the dialed URI.
    public var entity: String
    /// The call's own address (RFC 4575 `endpoint entity`): the participant's Contact.
    public var endpoint: String
    /// RFC 4575 endpoint status: `connected`, `muted-via-focus`, `on-hold`, `pending`, `dialing-out`.
    public var status: String
    /// `dialed-in` or `dialed-out` (RFC 4575 joining-method).
    public var joiningMethod: String
    /// The audio stream's direction as the participant has it: `sendrecv`, `recvonly` (muted or
    /// on hold), `sendonly` (deaf), `inactive`.
    public var mediaStatus: String
    /// The label of the focus's audio stream (RFC 4575 `label`).
    public var mediaLabel: String
    /// The SSRC of the participant's RTP stream, once one has arrived (RFC 4575 `src-id`).
    public var ssrc: UInt32?

    /// Creates a participant summary.
    public init(
        number: Int, displayName: String? = nil, uri: String, codec: String, srtp: Bool = false,
        muted: Bool = false, deaf: Bool = false, talking: Bool = false, joinedAt: String,
        lossPercent: Double? = nil, jitterMs: Double? = nil, inLobby: Bool = false,
        entity: String? = nil, endpoint: String? = nil, status: String = "connected", joiningMethod: String = "dialed-in",
        mediaStatus: String = "sendrecv", mediaLabel: String = "audio", ssrc: UInt32? = nil
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
        self.entity = entity ?? uri
        self.endpoint = endpoint ?? uri
        self.status = status
        self.joiningMethod = joiningMethod
        self.mediaStatus = mediaStatus
        self.mediaLabel = mediaLabel
        self.ssrc = ssrc
    }

    enum CodingKeys: String, CodingKey {
        case number, displayName, uri, codec, srtp, muted, deaf, talking, joinedAt, lossPercent, jitterMs, inLobby
        case entity, endpoint, status, joiningMethod, mediaStatus, mediaLabel, ssrc
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
        try container.encode(self.entity, forKey: .entity)
        try container.encode(self.endpoint, forKey: .endpoint)
        try container.encode(self.status, forKey: .status)
        try container.encode(self.joiningMethod, forKey: .joiningMethod)
        try container.encode(self.mediaStatus, forKey: .mediaStatus)
        try container.encode(self.mediaLabel, forKey: .mediaLabel)
        try container.encode(self.ssrc, forKey: .ssrc)
    }
}
