/// What the endpoint needs to know to run transactions and to answer the generic checks of
/// RFC 3261 §8.2 (405, 415, 416, 420, 483) before the application sees a request.
public struct SIPEndpointConfiguration: Sendable {
    public var timers: SIPTimerSettings
    public var limits: SIPParserLimits
    /// Sent in `Server` and `User-Agent` headers.
    public var userAgent: String
    /// Methods the application handles; anything else gets 405 with this list in `Allow`.
    public var allowedMethods: [SIPMethod]
    /// Option tags Chorus implements; a `Require` naming another gets 420 with `Unsupported`.
    public var supportedExtensions: [String]
    /// Body types accepted per method (lower-case `type/subtype`); a body of another type gets 415.
    public var acceptedContentTypes: [SIPMethod: [String]]
    /// How a Request-URI appears in the info log: the application can hide secrets it carries
    /// (Chorus's `ROOM*PIN` dial strings).
    public var loggedURI: @Sendable (SIPURI) -> String = { $0.description }
    /// New requests per source address (token bucket); nil: unlimited.
    public var requestRateLimit: SIPRequestRateLimit?

    public init(
        timers: SIPTimerSettings = SIPTimerSettings(), limits: SIPParserLimits = SIPParserLimits(),
        userAgent: String = "Chorus",
        allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options],
        supportedExtensions: [String] = [],
        acceptedContentTypes: [SIPMethod: [String]] = [.invite: ["application/sdp"], .ack: ["application/sdp"]]
    ) {
        self.timers = timers
        self.limits = limits
        self.userAgent = userAgent
        self.allowedMethods = allowedMethods
        self.supportedExtensions = supportedExtensions
        self.acceptedContentTypes = acceptedContentTypes
    }

    /// `INVITE, ACK, ...` for the Allow header.
    public var allowHeaderValue: String { allowedMethods.map(\.rawValue).joined(separator: ", ") }
}

/// A per-source limit on new requests (RFC 3261 transactions: retransmissions and ACKs do not
/// count), checked before anything else is done with the request.
public struct SIPRequestRateLimit: Sendable, Equatable {
    /// Tokens added per second: the sustained rate.
    public var perSecond: Double
    /// Most tokens a source holds: the burst.
    public var burst: Int
    /// True: requests over the rate get no answer. False: a stateless `503` with `Retry-After`.
    public var dropWhenOver: Bool

    public init(perSecond: Double, burst: Int, dropWhenOver: Bool = false) {
        self.perSecond = perSecond
        self.burst = burst
        self.dropWhenOver = dropWhenOver
    }
}

import Metrics

/// Counters the endpoint keeps for tests and logs; each is mirrored to swift-metrics as
/// `chorus_sip_<name>_total`, so whichever metrics backend the process bootstraps sees them.
public struct SIPEndpointStatistics: Sendable, Equatable {
    public var requestsReceived = 0 { didSet { SIPMetrics.requestsReceived.increment() } }
    public var responsesReceived = 0 { didSet { SIPMetrics.responsesReceived.increment() } }
    public var retransmissionsAbsorbed = 0 { didSet { SIPMetrics.retransmissionsAbsorbed.increment() } }
    /// Messages that could not be parsed (answered with 400/505/513 when possible).
    public var malformedMessages = 0 { didSet { SIPMetrics.malformedMessages.increment() } }
    /// Messages dropped without an answer (unparseable, stray responses, unmatched ACKs).
    public var droppedMessages = 0 { didSet { SIPMetrics.droppedMessages.increment() } }
    /// New requests over their source's rate (answered 503 or dropped, as configured).
    public var rateLimitedRequests = 0 { didSet { SIPMetrics.rateLimitedRequests.increment() } }
}

/// The swift-metrics counters behind ``SIPEndpointStatistics``, created once per process.
enum SIPMetrics {
    static let requestsReceived = Counter(label: "chorus_sip_requests_received_total")
    static let responsesReceived = Counter(label: "chorus_sip_responses_received_total")
    static let retransmissionsAbsorbed = Counter(label: "chorus_sip_retransmissions_absorbed_total")
    static let malformedMessages = Counter(label: "chorus_sip_malformed_messages_total")
    static let droppedMessages = Counter(label: "chorus_sip_dropped_messages_total")
    static let rateLimitedRequests = Counter(label: "chorus_sip_rate_limited_requests_total")
}

/// The transaction user above the endpoint: the dialog layer (``SIPUserAgent``) or a test double.
public protocol SIPEndpointDelegate: AnyObject {
    /// A new request that passed the RFC 3261 §8.2 checks. Not called for ACK or CANCEL. The
    /// delegate must answer it through `transaction`. An INVITE has already been answered with 100.
    func endpoint(_ endpoint: SIPEndpoint, didReceive request: SIPRequest, transaction: SIPServerTransaction)
    /// An ACK for a 2xx response (RFC 3261 §13.3.1.4), matched to the INVITE transaction it ends.
    func endpoint(_ endpoint: SIPEndpoint, didReceiveAck ack: SIPRequest, for transaction: SIPServerTransaction)
    /// A CANCEL ended a pending INVITE; 200 (to the CANCEL) and 487 (to the INVITE) have been sent.
    func endpoint(_ endpoint: SIPEndpoint, didCancel transaction: SIPServerTransaction)
    /// A 2xx to INVITE got no ACK within 64*T1; the dialog should be ended with BYE.
    func endpoint(_ endpoint: SIPEndpoint, ackTimedOutFor transaction: SIPServerTransaction)
}
