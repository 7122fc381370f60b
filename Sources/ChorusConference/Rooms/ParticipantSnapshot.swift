import ChorusMixer
import Foundation

/// What a room knows about one participant at one moment, for room-management commands,
/// logs and status pages.
public struct ParticipantSnapshot: Sendable, Equatable {
    public var id: ParticipantID
    /// The negotiated codec: `"opus"`, `"pcmu"` or `"pcma"`.
    public var codec: String
    /// Whether the media is encrypted (SDES-SRTP).
    public var srtp: Bool
    /// Mute, deaf and gains as last set with ``ConferenceRoom/setControls(_:for:)``, whatever the admission.
    public var controls: ParticipantControls
    /// Whether talk detection counts them as talking (also while muted or kept out).
    public var talking: Bool
    /// RMS level of their last frame after input gain; `-infinity` for silence or no input.
    public var levelDBFS: Float
    public var admission: ParticipantAdmission
    /// Packets lost of those expected since their stream began, in percent (nil before it is established).
    public var lossPercent: Double?
    /// RFC 3550 interarrival jitter of their stream (nil before it is established).
    public var jitterMs: Double?
    /// Round trip from their RTCP receiver reports, if they send any.
    public var roundTripMs: Double?
    /// RTP packets accepted from them.
    public var packetsReceived: Int
    /// The SSRC of their RTP stream, once a packet has come.
    public var remoteSSRC: UInt32?
    /// When they were added to the room.
    public var joinedAt: Date

    public init(
        id: ParticipantID, codec: String, srtp: Bool, controls: ParticipantControls, talking: Bool, levelDBFS: Float,
        admission: ParticipantAdmission, lossPercent: Double?, jitterMs: Double?, roundTripMs: Double?,
        packetsReceived: Int, joinedAt: Date, remoteSSRC: UInt32? = nil
    ) {
        self.id = id
        self.codec = codec
        self.srtp = srtp
        self.controls = controls
        self.talking = talking
        self.levelDBFS = levelDBFS
        self.admission = admission
        self.lossPercent = lossPercent
        self.jitterMs = jitterMs
        self.roundTripMs = roundTripMs
        self.packetsReceived = packetsReceived
        self.joinedAt = joinedAt
        self.remoteSSRC = remoteSSRC
    }
}
