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

            public init(maxMessageBytes: Int, maxHeaders: Int) {
                self.maxMessageBytes = maxMessageBytes
                self.maxHeaders = maxHeaders
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

        public init(listen: [ListenAddress], publicHost: String?, userAgent: String, timers: Timers, limits: Limits) {
            self.listen = listen
            self.publicHost = publicHost
            self.userAgent = userAgent
            self.timers = timers
            self.limits = limits
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

        public init(
            rooms: [RoomSpec], autoCreate: Bool, maxParticipants: Int, joinTones: Bool = true,
            keypadMute: String = "*6", keypadVolumeDown: String = "*4", keypadVolumeUp: String = "*7"
        ) {
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

        public init(publicAddress: String?, portMin: Int, portMax: Int, srtp: SRTPPolicy, inactivityTimeout: Duration, opus: Opus) {
            self.publicAddress = publicAddress
            self.portMin = portMin
            self.portMax = portMax
            self.srtp = srtp
            self.inactivityTimeout = inactivityTimeout
            self.opus = opus
        }
    }

    public var log: Log
    public var sip: SIP
    public var conference: Conference
    public var media: Media
    public var commands: Commands
    public var storage: Storage
    public var shutdown: Shutdown

    public init(log: Log, sip: SIP, conference: Conference, media: Media, commands: Commands, storage: Storage, shutdown: Shutdown) {
        self.log = log
        self.sip = sip
        self.conference = conference
        self.media = media
        self.commands = commands
        self.storage = storage
        self.shutdown = shutdown
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
            limits: SIP.Limits(maxMessageBytes: 0, maxHeaders: 0)),
        conference: Conference(
            rooms: [RoomSpec(id: "unset")], autoCreate: false, maxParticipants: 0, joinTones: false,
            keypadMute: "", keypadVolumeDown: "", keypadVolumeUp: ""),
        media: Media(
            publicAddress: "unset", portMin: 0, portMax: 0, srtp: .off, inactivityTimeout: .zero,
            opus: Media.Opus(bitrate: 0, complexity: -1)),
        commands: Commands(controlUser: "", realm: "", users: [UserCredential(username: "unset", password: "unset")], admins: ["unset"], maxFailuresPerMinute: 0,
            digestAlgorithms: [.md5Sess]),
        storage: Storage(directory: ""),
        shutdown: Shutdown(grace: .zero))
}
