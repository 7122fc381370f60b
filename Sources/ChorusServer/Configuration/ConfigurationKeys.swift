import ChorusSIP
import Logging

// THE table of settings. One row per key: it drives the YAML reader, the CHORUS_* environment
// variable names, the unknown-key check, `ConfigurationLoader.settingsReference` and
// `ConfigurationLoader.render`. Keys of one section must be contiguous.
//
// To add a setting: a stored property in ChorusConfiguration, its default (with a comment) in
// Config/chorus.yaml and the identical ChorusConfiguration.embeddedDefaultYAML, and a row here.
extension ConfigurationLoader {
    static var keys: [ConfigurationKey] {
        [
            .choice(
                "log.level", \.log.level, what: "log level",
                [
                    "trace": .trace, "debug": .debug, "info": .info, "notice": .notice,
                    "warning": .warning, "error": .error, "critical": .critical,
                ]),

            .list(
                "sip.listen", \.sip.listen, summary: "list of transport://host[:port] (udp, tcp, tls)", minimumCount: 1,
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    do throws(ValueProblem) {
                        return try ListenAddress.parse(scalar.text)
                    } catch {
                        throw ValueProblem(error.message, at: scalar.source)
                    }
                },
                render: { $0.description }),
            .optionalHost("sip.public_host", \.sip.publicHost),
            .text("sip.user_agent", \.sip.userAgent),
            .duration("sip.timers.t1_ms", \.sip.timers.t1, unit: .milliseconds, range: 1...60_000),
            .duration("sip.timers.t2_ms", \.sip.timers.t2, unit: .milliseconds, range: 1...600_000),
            .duration("sip.timers.t4_ms", \.sip.timers.t4, unit: .milliseconds, range: 1...600_000),
            .integer("sip.limits.max_message_bytes", \.sip.limits.maxMessageBytes, range: 1024...16_777_216),
            .integer("sip.limits.max_headers", \.sip.limits.maxHeaders, range: 1...10_000),
            .integer("sip.limits.max_connections_per_source", \.sip.limits.maxConnectionsPerSource, range: 1...100_000),
            .integer("sip.limits.max_connections", \.sip.limits.maxConnections, range: 1...1_000_000),
            .duration("sip.limits.idle_timeout_seconds", \.sip.limits.idleTimeout, unit: .seconds, range: 1...86_400),
            .duration("sip.limits.message_timeout_seconds", \.sip.limits.messageTimeout, unit: .seconds, range: 1...3600),
            .optionalPath("sip.tls.certificate_file", \.sip.tls.certificateFile),
            .optionalPath("sip.tls.private_key_file", \.sip.tls.privateKeyFile),
            .optionalPath("sip.tls.ca_file", \.sip.tls.caFile),

            .list(
                "conference.rooms", \.conference.rooms, summary: "list of ID[;name=TEXT][;max=N]",
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    do throws(ConfigurationError) {
                        return try RoomSpec.parse(scalar.text)
                    } catch {
                        throw ValueProblem(error.message, at: scalar.source)
                    }
                },
                render: { $0.description }),
            .choice("conference.auto_create", \.conference.autoCreate, what: "boolean", ["true": true, "false": false]),
            .integer("conference.max_participants", \.conference.maxParticipants, range: 2...10_000),
            .choice("conference.join_tones", \.conference.joinTones, what: "boolean", ["true": true, "false": false]),
            .keySequence("conference.keypad.mute", \.conference.keypadMute),
            .keySequence("conference.keypad.volume_down", \.conference.keypadVolumeDown),
            .keySequence("conference.keypad.volume_up", \.conference.keypadVolumeUp),
            .integer("conference.max_mixed_speakers", \.conference.maxMixedSpeakers, range: 1...64),
            .choice("conference.forward_two_talkers", \.conference.forwardTwoTalkers, what: "boolean", ["true": true, "false": false]),
            .integer("conference.subscriptions.max_per_room", \.conference.maxSubscriptionsPerRoom, range: 1...100_000),
            .integer("conference.subscriptions.max_per_subscriber", \.conference.maxSubscriptionsPerSubscriber, range: 1...10_000),

            .optionalHost("media.public_address", \.media.publicAddress),
            .integer("media.port_min", \.media.portMin, range: 1024...65_534),
            .integer("media.port_max", \.media.portMax, range: 1025...65_535),
            .choice(
                "media.srtp", \.media.srtp, what: "SRTP policy",
                ["optional": .optional, "required": .required, "off": .off]),
            .duration("media.inactivity_timeout_seconds", \.media.inactivityTimeout, unit: .seconds, range: 5...3600),
            .integer("media.opus.bitrate", \.media.opus.bitrate, range: 6000...510_000),
            .integer("media.opus.complexity", \.media.opus.complexity, range: 0...10),
            .duration("media.report_interval_seconds", \.media.reportInterval, unit: .seconds, range: 0...86_400),
            .integer("media.spread_rooms_larger_than", \.media.spreadRoomsLargerThan, range: 0...100_000),
            .choice("media.align_ticks_to_talkers", \.media.alignTicksToTalkers, what: "boolean", ["true": true, "false": false]),

            .userName("commands.control_user", \.commands.controlUser),
            .text("commands.realm", \.commands.realm),
            .list(
                "commands.users", \.commands.users, summary: "list of NAME:PASSWORD or NAME;ha1=HEX[;ha1_sha256=HEX]",
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    do throws(ConfigurationError) {
                        return try UserCredential.parse(scalar.text)
                    } catch {
                        throw ValueProblem(error.message, at: scalar.source)
                    }
                },
                render: { $0.description }),
            .list(
                "commands.admins", \.commands.admins, summary: "list of user names from commands.users",
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    guard UserCredential.isValidName(scalar.text) else {
                        throw ValueProblem("\"\(scalar.text)\" is not a user name (letters, digits, . _ -)", at: scalar.source)
                    }
                    return scalar.text
                },
                render: { $0 }),
            .integer("commands.max_failures_per_minute", \.commands.maxFailuresPerMinute, range: 1...10_000),
            .list(
                "commands.digest_algorithms", \.commands.digestAlgorithms, summary: "list of sha256 | md5", minimumCount: 1,
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    switch scalar.text.lowercased() {
                    case "sha256", "sha-256": return DigestAlgorithm.sha256
                    case "md5": return DigestAlgorithm.md5
                    default: throw ValueProblem("unknown digest algorithm \"\(scalar.text)\" (expected sha256 or md5)", at: scalar.source)
                    }
                },
                render: { $0 == .md5 ? "md5" : "sha256" }),
            .integer("security.requests_per_second", \.security.requestsPerSecond, range: 1...1_000_000),
            .integer("security.request_burst", \.security.requestBurst, range: 1...1_000_000),
            .choice("security.over_limit", \.security.overLimit, what: "over-limit action", ["reject": .reject, "drop": .drop]),
            .integer("security.max_calls_per_source", \.security.maxCallsPerSource, range: 1...100_000),
            .integer("security.max_calls", \.security.maxCalls, range: 1...1_000_000),
            .choice("security.sdes", \.security.sdes, what: "SDES policy", ["auto": .auto, "tls-only": .tlsOnly, "always": .always]),
            .integer("security.rtp_packets_per_second", \.security.rtpPacketsPerSecond, range: 10...100_000),

            .text("storage.directory", \.storage.directory),

            .duration("shutdown.grace_seconds", \.shutdown.grace, unit: .seconds, range: 0...3600),

            .list(
                "dialout.allowed_domains", \.dialOut.allowedDomains, summary: "list of host names, domains or IP addresses",
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    let host = scalar.text.lowercased()
                    guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "@") && $0 != UInt8(ascii: "/") })
                    else { throw ValueProblem("\"\(scalar.text)\" is not a host name or address", at: scalar.source) }
                    return host
                },
                render: { $0 }),

            .list(
                "recording.rooms", \.recording.rooms, summary: "list of room ids, or * for every room",
                element: { (scalar: RawScalar) throws(ValueProblem) in
                    guard scalar.text == "*" || (1...64).contains(scalar.text.count) && scalar.text.allSatisfy(RoomSpec.isRoomIDCharacter) else {
                        throw ValueProblem("\"\(scalar.text)\" is not a room id (letters, digits and - _ . ! ~ +, at most 64) or *", at: scalar.source)
                    }
                    return scalar.text
                },
                render: { $0 }),
            .integer("recording.bitrate", \.recording.bitrate, range: 6000...510_000),
            .integer("recording.max_per_room", \.recording.maxPerRoom, range: 0...100_000),
            .integer("recording.retention_days", \.recording.retentionDays, range: 0...36_500),
        ]
    }

    /// Rules across keys, checked once file and environment are applied. The error is reported
    /// at whichever of `paths` was set last (environment over file over default; ties: the last path).
    static var constraints: [ConfigurationConstraint] {
        [
            ConfigurationConstraint(paths: ["sip.timers.t1_ms", "sip.timers.t2_ms"]) { configuration in
                let timers = configuration.sip.timers
                guard timers.t2 < timers.t1 else { return nil }
                return "sip.timers.t2_ms (\(Int(timers.t2 / .milliseconds(1))) ms) must not be less than "
                    + "sip.timers.t1_ms (\(Int(timers.t1 / .milliseconds(1))) ms)"
            },
            ConfigurationConstraint(paths: ["commands.users", "commands.admins"]) { configuration in
                let known = Set(configuration.commands.users.map(\.username))
                guard let stranger = configuration.commands.admins.first(where: { !known.contains($0) }) else { return nil }
                return "commands.admins names \"\(stranger)\", who is not in commands.users"
            },
            ConfigurationConstraint(paths: ["sip.tls.certificate_file", "sip.tls.private_key_file"]) { configuration in
                let tls = configuration.sip.tls
                guard (tls.certificateFile == nil) != (tls.privateKeyFile == nil) else { return nil }
                return "sip.tls.certificate_file and sip.tls.private_key_file go together: set both, or neither (a self-signed certificate)"
            },
            ConfigurationConstraint(paths: ["media.port_min", "media.port_max"]) { configuration in
                let media = configuration.media
                if media.portMin % 2 != 0 { return "media.port_min (\(media.portMin)) must be even: RTP takes even ports, RTCP the next odd one" }
                guard media.portMax - media.portMin >= 1 else {
                    return "media.port_max (\(media.portMax)) must be above media.port_min (\(media.portMin))"
                }
                return nil
            },
        ]
    }
}

struct ConfigurationConstraint {
    let paths: [String]
    /// Nil when satisfied, else the complete problem (naming the keys involved).
    let check: (ChorusConfiguration) -> String?
}
