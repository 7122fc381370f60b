import ChorusRTP
import NIOCore

/// What offer/answer decided for one participant's audio stream, in the terms the media leg needs.
public struct MediaLegParameters: Sendable {
    /// SRTP keys from SDES (RFC 4568): the peer's key protects what Chorus receives.
    public struct SRTPKeys: Sendable {
        public var suite: SRTPCryptoSuite
        public var inboundKeyingMaterial: [UInt8]
        public var outboundKeyingMaterial: [UInt8]
        public init(suite: SRTPCryptoSuite, inboundKeyingMaterial: [UInt8], outboundKeyingMaterial: [UInt8]) {
            self.suite = suite
            self.inboundKeyingMaterial = inboundKeyingMaterial
            self.outboundKeyingMaterial = outboundKeyingMaterial
        }
    }

    /// The audio codec's payload type and RTP clock rate.
    public var payloadType: UInt8
    public var clockRate: Int
    /// RFC 4733 telephone-event payload type, if negotiated, and its clock rate.
    public var telephoneEventPayloadType: UInt8?
    public var telephoneEventClockRate: Int
    /// Where the SDP says to send RTP and RTCP; nil when unknown (c=0.0.0.0 hold, or port 0).
    public var remoteRTP: SocketAddress?
    public var remoteRTCP: SocketAddress?
    /// RTP and RTCP on one port (RFC 5761).
    public var rtcpMux: Bool
    public var srtp: SRTPKeys?
    /// Whether Chorus sends to and receives from the participant (from the negotiated direction).
    public var sends: Bool
    public var receives: Bool
    /// The header extension identifier of the peer's RFC 6464 audio levels, if negotiated.
    public var audioLevelExtensionID: UInt8?
    /// RTP plus RTCP packets per second the leg takes in (`security.rtp_packets_per_second`); set when the leg opens.
    public var maxPacketsPerSecond = 150

    public init(
        payloadType: UInt8, clockRate: Int, telephoneEventPayloadType: UInt8? = nil, telephoneEventClockRate: Int = 8000,
        remoteRTP: SocketAddress?, remoteRTCP: SocketAddress? = nil, rtcpMux: Bool = false, srtp: SRTPKeys? = nil,
        sends: Bool = true, receives: Bool = true, audioLevelExtensionID: UInt8? = nil
    ) {
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.telephoneEventClockRate = telephoneEventClockRate
        self.remoteRTP = remoteRTP
        self.remoteRTCP = remoteRTCP
        self.rtcpMux = rtcpMux
        self.srtp = srtp
        self.sends = sends
        self.receives = receives
        self.audioLevelExtensionID = audioLevelExtensionID
    }
}

/// Counters of one media leg, for logs, metrics and tests. Every dropped packet is counted once,
/// under the first reason that applied.
public struct MediaLegStatistics: Sendable, Equatable {
    public var rtpReceived = 0
    public var rtcpReceived = 0
    public var rtpSent = 0
    /// Outgoing RTP the kernel refused (a full socket buffer, an unreachable network): dropped.
    public var rtpSendFailures = 0
    /// Not RTP/RTCP at all, or failing RTP/RTCP validation.
    public var droppedMalformed = 0
    /// SRTP/SRTCP authentication failures.
    public var droppedAuthentication = 0
    /// SRTP replays.
    public var droppedReplay = 0
    /// A payload type that was not negotiated.
    public var droppedPayloadType = 0
    /// From an address that is not (yet) the participant's (symmetric RTP latching).
    public var droppedUnknownSource = 0
    /// Received while Chorus does not receive (held, recvonly on their side).
    public var droppedNotReceiving = 0
    /// The peer's source address changed to a new, accepted one.
    public var sourceChanges = 0
    /// RFC 4733 key presses.
    public var digits = 0
    /// Over the leg's packet rate (``MediaLegParameters/maxPacketsPerSecond``), dropped before anything else.
    public var droppedRateLimited = 0
}
