import ChorusSIP
import Logging

/// The whole server configuration: the embedded default (`Config/chorus.yaml`), overlaid by an
/// optional user file, overlaid by `CHORUS_*` environment variables. Build one with
/// ``ConfigurationLoader``; every value in it has been validated.
///
/// To add a setting: add the stored property here (with its default in `Config/chorus.yaml` and
/// the identical ``embeddedDefaultYAML``), then one row in `ConfigurationLoader.keys`
/// (ConfigurationKeys.swift). The row drives the YAML reader, the environment variable name, the
/// unknown-key check and ``ConfigurationLoader/settingsReference``.
public struct ChorusConfiguration: Sendable, Equatable {
    public struct Log: Sendable, Equatable {
        /// `log.level`
        public var level: Logger.Level

        public init(level: Logger.Level) {
            self.level = level
        }
    }

    public struct SIP: Sendable, Equatable {
        /// RFC 3261 transaction timers.
        public struct Timers: Sendable, Equatable {
            /// `sip.timers.t1_ms`: greater than zero.
            public var t1: Duration
            /// `sip.timers.t2_ms`: at least ``t1``.
            public var t2: Duration
            /// `sip.timers.t4_ms`: greater than zero.
            public var t4: Duration

            public init(t1: Duration, t2: Duration, t4: Duration) {
                self.t1 = t1
                self.t2 = t2
                self.t4 = t4
            }
        }

        public struct Limits: Sendable, Equatable {
            /// `sip.limits.max_message_bytes`
            public var maxMessageBytes: Int
            /// `sip.limits.max_headers`
            public var maxHeaders: Int
            /// `sip.limits.max_connections_per_source`: accepted TCP and TLS connections from one IP address.
            public var maxConnectionsPerSource: Int
            /// `sip.limits.max_connections`: accepted TCP and TLS connections in all.
            public var maxConnections: Int
            /// `sip.limits.idle_timeout_seconds`: a stream connection without traffic this long is closed.
            public var idleTimeout: Duration
            /// `sip.limits.message_timeout_seconds`: the TLS handshake and first message of an accepted
            /// connection, and any message once begun, must arrive within this long.
            public var messageTimeout: Duration

            public init(
                maxMessageBytes: Int, maxHeaders: Int, maxConnectionsPerSource: Int = 32, maxConnections: Int = 4096,
                idleTimeout: Duration = .seconds(600), messageTimeout: Duration = .seconds(10)
            ) {
                self.maxMessageBytes = maxMessageBytes
                self.maxHeaders = maxHeaders
                self.maxConnectionsPerSource = maxConnectionsPerSource
                self.maxConnections = maxConnections
                self.idleTimeout = idleTimeout
                self.messageTimeout = messageTimeout
            }
        }

        /// `sip.tls.*`: SIP over TLS (RFC 3261 §26).
        public struct TLS: Sendable, Equatable {
            /// `sip.tls.certificate_file`: PEM, Chorus's certificate first, then intermediates. Nil with
            /// ``privateKeyFile`` nil: a self-signed certificate in the storage directory.
            public var certificateFile: String?
            /// `sip.tls.private_key_file`: PEM private key of the certificate.
            public var privateKeyFile: String?
            /// `sip.tls.ca_file`: PEM certificates trusted for connections Chorus opens; nil: the system's.
            public var caFile: String?

            public init(certificateFile: String? = nil, privateKeyFile: String? = nil, caFile: String? = nil) {
                self.certificateFile = certificateFile
                self.privateKeyFile = privateKeyFile
                self.caFile = caFile
            }
        }

        /// `sip.listen`: at least one, no duplicates.
        public var listen: [ListenAddress]
        /// `sip.public_host`: `nil` when empty in the configuration. Never bracketed (IPv6 `::1`,
        /// not `[::1]`), like ``ListenAddress/host``.
        public var publicHost: String?
        /// `sip.user_agent`: not empty.
        public var userAgent: String
        public var timers: Timers
        public var limits: Limits
        public var tls: TLS

        public init(listen: [ListenAddress], publicHost: String?, userAgent: String, timers: Timers, limits: Limits, tls: TLS = TLS()) {
            self.listen = listen
            self.publicHost = publicHost
            self.userAgent = userAgent
            self.timers = timers
            self.limits = limits
            self.tls = tls
        }
    }

    public struct Commands: Sendable, Equatable {
        /// `commands.control_user`: MESSAGE to `sip:CONTROL_USER@host` runs server-wide commands.
        public var controlUser: String
        /// `commands.realm`: the digest realm of challenges.
        public var realm: String
        /// `commands.users`: who may authenticate.
        public var users: [UserCredential]
        /// `commands.admins`: which of those users are administrators (may run every command).
        public var admins: [String]
        /// `commands.max_failures_per_minute`: failed authentications per source address before it is refused for a minute.
        public var maxFailuresPerMinute: Int
        /// `commands.digest_algorithms`: the challenges offered, most preferred first (RFC 8760).
        public var digestAlgorithms: [DigestAlgorithm]

        public init(
            controlUser: String, realm: String, users: [UserCredential], admins: [String], maxFailuresPerMinute: Int,
            digestAlgorithms: [DigestAlgorithm] = [.sha256, .md5]
        ) {
            self.controlUser = controlUser
            self.realm = realm
            self.users = users
            self.admins = admins
            self.maxFailuresPerMinute = maxFailuresPerMinute
            self.digestAlgorithms = digestAlgorithms
        }
    }

    public struct Storage: Sendable, Equatable {
        /// `storage.directory`: where the room database lives (relative to the working directory unless absolute).
        public var directory: String
        public init(directory: String) { self.directory = directory }
    }

    public struct Shutdown: Sendable, Equatable {
        /// `shutdown.grace_seconds`: how long to wait for BYE answers at shutdown.
        public var grace: Duration

        public init(grace: Duration) {
            self.grace = grace
        }
    }

    public struct Conference: Sendable, Equatable {
        /// `conference.rooms`: rooms that always exist.
        public var rooms: [RoomSpec]
        /// `conference.auto_create`: dialing an unknown room creates it; it goes when the last one leaves.
        public var autoCreate: Bool
        /// `conference.max_participants`: the limit for rooms that name none.
        public var maxParticipants: Int
        /// `conference.join_tones`: a short tone for everyone when someone joins or leaves.
        public var joinTones: Bool
        /// `conference.keypad.*`: in-call key sequences.
        public var keypadMute: String
        public var keypadVolumeDown: String
        public var keypadVolumeUp: String
        /// `conference.max_mixed_speakers`: the loudest this many talkers are mixed at once.
        public var maxMixedSpeakers: Int
        /// `conference.forward_two_talkers`: two talkers are sent each other's packets unmixed.
        public var forwardTwoTalkers: Bool
        /// `conference.subscriptions.max_per_room`: conference event subscriptions to one room at once.
        public var maxSubscriptionsPerRoom: Int
        /// `conference.subscriptions.max_per_subscriber`: subscriptions of one subscriber (From
        /// address and source IP) at once, over all rooms.
        public var maxSubscriptionsPerSubscriber: Int

        public init(
            rooms: [RoomSpec], autoCreate: Bool, maxParticipants: Int, joinTones: Bool = true,
            keypadMute: String = "*6", keypadVolumeDown: String = "*4", keypadVolumeUp: String = "*7", maxMixedSpeakers: Int = 8,
            forwardTwoTalkers: Bool = true, maxSubscriptionsPerRoom: Int = 200, maxSubscriptionsPerSubscriber: Int = 20
        ) {
            self.maxSubscriptionsPerRoom = maxSubscriptionsPerRoom
            self.maxSubscriptionsPerSubscriber = maxSubscriptionsPerSubscriber
            self.maxMixedSpeakers = maxMixedSpeakers
            self.forwardTwoTalkers = forwardTwoTalkers
            self.rooms = rooms
            self.autoCreate = autoCreate
            self.maxParticipants = maxParticipants
            self.joinTones = joinTones
            self.keypadMute = keypadMute
            self.keypadVolumeDown = keypadVolumeDown
            self.keypadVolumeUp = keypadVolumeUp
        }
    }

    public struct Media: Sendable, Equatable {
        /// `media.srtp`: SDES-SRTP policy (RFC 4568).
        public enum SRTPPolicy: String, Sendable, Equatable, CaseIterable {
            /// Encrypt when the phone offers it.
            case optional
            /// Refuse plain RTP offers with 488.
            case required
            /// Never encrypt; refuse RTP/SAVP offers.
            case off
        }

        public struct Opus: Sendable, Equatable {
            /// `media.opus.bitrate`, bits per second, capped by each receiver's maxaveragebitrate.
            public var bitrate: Int
            /// `media.opus.complexity`, 0 to 10.
            public var complexity: Int
            public init(bitrate: Int, complexity: Int) {
                self.bitrate = bitrate
                self.complexity = complexity
            }
        }

        /// `media.public_address`: the address put in SDP; nil: the local address toward the peer.
        public var publicAddress: String?
        /// `media.port_min`: first UDP port for RTP (even) and RTCP (odd).
        public var portMin: Int
        /// `media.port_max`: last UDP port for media.
        public var portMax: Int
        public var srtp: SRTPPolicy
        /// `media.inactivity_timeout_seconds`: no RTP/RTCP this long from a sending participant ends the call.
        public var inactivityTimeout: Duration
        public var opus: Opus
        /// `media.report_interval_seconds`: how often each room logs its media report; zero: never.
        public var reportInterval: Duration
        /// `media.spread_rooms_larger_than`: a room with more participants spreads its media legs
        /// over every media loop.
        public var spreadRoomsLargerThan: Int
        /// `media.align_ticks_to_talkers`: a room moves its ticks earlier, towards the moment its
        /// talkers' packets are due, so that they wait less for the mix.
        public var alignTicksToTalkers: Bool

        public init(
            publicAddress: String?, portMin: Int, portMax: Int, srtp: SRTPPolicy, inactivityTimeout: Duration, opus: Opus,
            reportInterval: Duration = .seconds(60), spreadRoomsLargerThan: Int = 50, alignTicksToTalkers: Bool = true
        ) {
            self.reportInterval = reportInterval
            self.spreadRoomsLargerThan = spreadRoomsLargerThan
            self.alignTicksToTalkers = alignTicksToTalkers
            self.publicAddress = publicAddress
            self.portMin = portMin
            self.portMax = portMax
            self.srtp = srtp
            self.inactivityTimeout = inactivityTimeout
            self.opus = opus
        }
    }

    public struct DialOut: Sendable, Equatable {
        /// `dialout.allowed_domains`: hosts (and the domains below them) Chorus may call for
        /// `invite` and REFER; empty: anywhere.
        public var allowedDomains: [String]
        public init(allowedDomains: [String]) { self.allowedDomains = allowedDomains }
    }

    public struct Recording: Sendable, Equatable {
        /// `recording.rooms`: rooms recorded whenever they run; `*` is every room.
        public var rooms: [String]
        /// `recording.bitrate`: Opus bits per second of recordings.
        public var bitrate: Int
        /// `recording.max_per_room`: recordings kept per room, the oldest deleted first; 0 keeps all.
        public var maxPerRoom: Int
        /// `recording.retention_days`: recordings older than this are deleted; 0 keeps them.
        public var retentionDays: Int
        public init(rooms: [String], bitrate: Int, maxPerRoom: Int, retentionDays: Int) {
            self.rooms = rooms
            self.bitrate = bitrate
            self.maxPerRoom = maxPerRoom
            self.retentionDays = retentionDays
        }
    }

    /// `security.*`: flood and scan resistance, and when SDES keys may travel.
    public struct Security: Sendable, Equatable {
        /// What a source over its rate gets.
        public enum OverLimit: String, Sendable, Equatable, CaseIterable {
            /// `503` with `Retry-After`.
            case reject
            /// Nothing at all.
            case drop
        }

        /// When Chorus puts SDES keys (`a=crypto`) into SDP.
        public enum SDES: String, Sendable, Equatable, CaseIterable {
            /// `tls-only` when `media.srtp` is `required`, else `always`.
            case auto
            /// Only in calls whose signalling arrived over TLS.
            case tlsOnly = "tls-only"
            /// Over any transport.
            case always
        }

        /// `security.requests_per_second`: new requests (transactions) per source address, sustained.
        public var requestsPerSecond: Int
        /// `security.request_burst`: how many may come at once before the rate applies.
        public var requestBurst: Int
        /// `security.over_limit`: what requests over the rate (and failed authentications over
        /// `commands.max_failures_per_minute`) get.
        public var overLimit: OverLimit
        /// `security.max_calls_per_source`: calls in progress from one source address at most.
        public var maxCallsPerSource: Int
        /// `security.max_calls`: calls in progress at most.
        public var maxCalls: Int
        /// `security.sdes`
        public var sdes: SDES
        /// `security.rtp_packets_per_second`: RTP plus RTCP packets a participant may send per second;
        /// the rest are dropped.
        public var rtpPacketsPerSecond: Int

        public init(
            requestsPerSecond: Int = 20, requestBurst: Int = 100, overLimit: OverLimit = .reject, maxCallsPerSource: Int = 20,
            maxCalls: Int = 1000, sdes: SDES = .auto, rtpPacketsPerSecond: Int = 150
        ) {
            self.requestsPerSecond = requestsPerSecond
            self.requestBurst = requestBurst
            self.overLimit = overLimit
            self.maxCallsPerSource = maxCallsPerSource
            self.maxCalls = maxCalls
            self.sdes = sdes
            self.rtpPacketsPerSecond = rtpPacketsPerSecond
        }

        /// Whether SDES keys may go into the SDP of a call whose signalling came over TLS or not.
        public func sdesAllowed(overTLS: Bool, srtp: Media.SRTPPolicy) -> Bool {
            switch sdes {
            case .always: true
            case .tlsOnly: overTLS
            case .auto: overTLS || srtp != .required
            }
        }
    }

    public var log: Log
    public var sip: SIP
    public var conference: Conference
    public var media: Media
    public var commands: Commands
    public var security: Security
    public var storage: Storage
    public var shutdown: Shutdown
    public var dialOut: DialOut
    public var recording: Recording

    public init(
        log: Log, sip: SIP, conference: Conference, media: Media, commands: Commands, security: Security = Security(), storage: Storage,
        shutdown: Shutdown, dialOut: DialOut = DialOut(allowedDomains: []),
        recording: Recording = Recording(rooms: [], bitrate: 32_000, maxPerRoom: 100, retentionDays: 0)
    ) {
        self.log = log
        self.sip = sip
        self.conference = conference
        self.media = media
        self.commands = commands
        self.security = security
        self.storage = storage
        self.shutdown = shutdown
        self.dialOut = dialOut
        self.recording = recording
    }

    /// The configuration with no file and no environment: ``embeddedDefaultYAML`` parsed.
    public static var defaults: ChorusConfiguration {
        ConfigurationLoader.defaultLayer.configuration
    }

    /// Every field set to a value the embedded default overwrites; the base the embedded default
    /// is applied to. A test checks that the embedded default sets every key.
    static let unset = ChorusConfiguration(
        log: Log(level: .info),
        sip: SIP(
            listen: [], publicHost: nil, userAgent: "",
            timers: SIP.Timers(t1: .zero, t2: .zero, t4: .zero),
            limits: SIP.Limits(
                maxMessageBytes: 0, maxHeaders: 0, maxConnectionsPerSource: 0, maxConnections: 0, idleTimeout: .zero, messageTimeout: .zero),
            tls: SIP.TLS(certificateFile: "unset", privateKeyFile: "unset", caFile: "unset")),
        conference: Conference(
            rooms: [RoomSpec(id: "unset")], autoCreate: false, maxParticipants: 0, joinTones: false,
            keypadMute: "", keypadVolumeDown: "", keypadVolumeUp: "", maxMixedSpeakers: 0, forwardTwoTalkers: false,
            maxSubscriptionsPerRoom: 0, maxSubscriptionsPerSubscriber: 0),
        media: Media(
            publicAddress: "unset", portMin: 0, portMax: 0, srtp: .off, inactivityTimeout: .zero,
            opus: Media.Opus(bitrate: 0, complexity: -1), reportInterval: .seconds(-1), spreadRoomsLargerThan: -1,
            alignTicksToTalkers: false),
        commands: Commands(controlUser: "", realm: "", users: [UserCredential(username: "unset", password: "unset")], admins: ["unset"], maxFailuresPerMinute: 0,
            digestAlgorithms: [.md5Sess]),
        security: Security(
            requestsPerSecond: 0, requestBurst: 0, overLimit: .drop, maxCallsPerSource: 0, maxCalls: 0, sdes: .always, rtpPacketsPerSecond: 0),
        storage: Storage(directory: ""),
        shutdown: Shutdown(grace: .zero),
        dialOut: DialOut(allowedDomains: ["unset"]),
        recording: Recording(rooms: ["unset"], bitrate: 0, maxPerRoom: -1, retentionDays: -1))
}
