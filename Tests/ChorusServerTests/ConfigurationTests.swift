import Foundation
import ChorusTestSupport
import XCTest
@testable import ChorusServer

/// Loads `yaml` (as file "test.yaml") and returns the error message, failing the test if it loads.
func configurationError(
    _ yaml: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
) -> String {
    do {
        let configuration = try ConfigurationLoader.load(yaml: yaml, sourceName: "test.yaml", environment: environment)
        XCTFail("expected a configuration error, loaded \(configuration)", file: file, line: line)
        return ""
    } catch {
        return error.message
    }
}

/// Loads `yaml` (as file "test.yaml"), failing the test with the message if it does not load.
func loadConfiguration(
    _ yaml: String, environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
) -> ChorusConfiguration? {
    do {
        return try ConfigurationLoader.load(yaml: yaml, sourceName: "test.yaml", environment: environment)
    } catch {
        XCTFail("unexpected configuration error: \(error.message)", file: file, line: line)
        return nil
    }
}

final class ConfigurationTests: XCTestCase {
    // MARK: - Embedded default

    func testEmbeddedDefaultHasDocumentedValues() throws {
        let defaults = ChorusConfiguration.defaults
        let expected = ChorusConfiguration(
            log: .init(level: .info),
            sip: .init(
                listen: [
                    ListenAddress(transport: .udp, host: "0.0.0.0", port: 5060),
                    ListenAddress(transport: .tcp, host: "0.0.0.0", port: 5060),
                    ListenAddress(transport: .tls, host: "0.0.0.0", port: 5061),
                ],
                publicHost: nil,
                userAgent: "Chorus",
                timers: .init(t1: .milliseconds(500), t2: .milliseconds(4000), t4: .milliseconds(5000)),
                limits: .init(
                    maxMessageBytes: 65535, maxHeaders: 256, maxConnectionsPerSource: 32, maxConnections: 4096, idleTimeout: .seconds(600),
                    messageTimeout: .seconds(10)),
                tls: .init(certificateFile: nil, privateKeyFile: nil, caFile: nil)),
            conference: .init(rooms: [], autoCreate: true, maxParticipants: 100),
            media: .init(
                publicAddress: nil, portMin: 20000, portMax: 29999, srtp: .optional, inactivityTimeout: .seconds(30),
                opus: .init(bitrate: 32000, complexity: 5)),
            commands: .init(
                controlUser: "chorus", realm: "chorus", users: [], admins: [], maxFailuresPerMinute: 10, digestAlgorithms: [.sha256, .md5]),
            security: .init(
                requestsPerSecond: 20, requestBurst: 100, overLimit: .reject, maxCallsPerSource: 20, maxCalls: 1000, sdes: .auto,
                rtpPacketsPerSecond: 150),
            storage: .init(directory: "chorus-data"),
            shutdown: .init(grace: .seconds(5)))
        XCTAssertEqual(defaults, expected)
        XCTAssertEqual(try ConfigurationLoader.load(path: nil, environment: [:]), expected)
        XCTAssertEqual(
            try ConfigurationLoader.load(
                yaml: ChorusConfiguration.embeddedDefaultYAML, sourceName: "embedded default", environment: [:]),
            expected)
    }

    func testCommandUsersTakePasswordsOrHA1sAndAdminsMustBeUsers() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: "commands:\n  users: [\"alice:secret\", \"bob;ha1=0123456789abcdef0123456789abcdef\"]\n  admins: [alice]\n",
            sourceName: "test.yaml", environment: [:])
        XCTAssertEqual(configuration.commands.users.map(\.username), ["alice", "bob"])
        XCTAssertEqual(configuration.commands.users[0].description, "alice;secret=hidden", "secrets are never rendered")
        XCTAssertThrowsError(
            try ConfigurationLoader.load(yaml: "commands:\n  users: [\"alice:secret\"]\n  admins: [carol]\n", sourceName: "test.yaml", environment: [:])
        ) { error in
            XCTAssertTrue("\(error)".contains("carol"), "\(error)")
        }
        XCTAssertThrowsError(
            try ConfigurationLoader.load(yaml: "commands:\n  users: [\"bob;ha1=xyz\"]\n", sourceName: "test.yaml", environment: [:]))
        XCTAssertThrowsError(
            try ConfigurationLoader.load(yaml: "conference:\n  keypad:\n    mute: \"*x\"\n", sourceName: "test.yaml", environment: [:]))
    }

    func testEmbeddedLiteralIsByteForByteConfigChorusYAML() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/chorus.yaml")
        let file = try Data(contentsOf: url)
        let literal = Data(ChorusConfiguration.embeddedDefaultYAML.utf8)
        XCTAssertEqual(
            file, literal,
            "Config/chorus.yaml and ChorusConfiguration.embeddedDefaultYAML differ: keep them identical")
    }

    /// The embedded default is the reference: it must set (and so document) every key.
    func testEmbeddedDefaultSetsEveryKey() {
        let layer = ConfigurationLoader.defaultLayer
        for key in ConfigurationLoader.keys {
            guard let origin = layer.origins[key.path] else {
                XCTFail("\(key.path) is missing from Config/chorus.yaml")
                continue
            }
            guard case .file(name: "embedded default", _, _) = origin.source else {
                XCTFail("\(key.path) came from \(origin.source)")
                continue
            }
        }
        XCTAssertEqual(layer.origins.count, ConfigurationLoader.keys.count)
    }

    func testKeyTableIsConsistent() {
        let keys = ConfigurationLoader.keys
        XCTAssertEqual(Set(keys.map(\.path)).count, keys.count, "duplicate key path")
        XCTAssertEqual(Set(keys.map(\.environmentVariable)).count, keys.count, "two keys share an environment variable")
        XCTAssertFalse(keys.map(\.environmentVariable).contains(ConfigurationLoader.configPathEnvironmentVariable))
        // A key is never also a section (sip.listen cannot have children).
        let table = KeyTable(keys)
        for key in keys {
            XCTAssertFalse(table.isSection(key.components), key.path)
        }
        XCTAssertEqual(keys.first { $0.path == "sip.timers.t1_ms" }?.environmentVariable, "CHORUS_SIP_TIMERS_T1_MS")
        XCTAssertEqual(keys.first { $0.path == "log.level" }?.environmentVariable, "CHORUS_LOG_LEVEL")
    }

    func testRenderReadsBackToTheSameConfiguration() throws {
        var configuration = ChorusConfiguration.defaults
        configuration.log.level = .trace
        configuration.sip.listen = [
            ListenAddress(transport: .udp, host: "::1", port: 5070),
            ListenAddress(transport: .tcp, host: "sip.example.com", port: 5060),
        ]
        configuration.sip.publicHost = "2001:db8::5"
        configuration.sip.userAgent = #"Chorus "test" \ 1.0"#
        configuration.sip.timers.t1 = .milliseconds(250)
        configuration.shutdown.grace = .zero
        configuration.sip.tls = .init(certificateFile: "/etc/chorus/cert.pem", privateKeyFile: "/etc/chorus/key.pem", caFile: nil)
        configuration.security.overLimit = .drop
        configuration.security.sdes = .tlsOnly
        for candidate in [ChorusConfiguration.defaults, configuration] {
            let yaml = ConfigurationLoader.render(candidate)
            XCTAssertEqual(
                try ConfigurationLoader.load(yaml: yaml, sourceName: "rendered", environment: [:]), candidate, yaml)
        }
        XCTAssertTrue(ConfigurationLoader.render(.defaults).contains("sip:\n  listen: [\"udp://0.0.0.0:5060\", \"tcp://0.0.0.0:5060\", \"tls://0.0.0.0:5061\"]\n"))
    }

    func testSettingsReferenceListsEveryKeyWithVariableAndDefault() {
        let reference = ConfigurationLoader.settingsReference
        XCTAssertEqual(reference.split(separator: "\n").count, ConfigurationLoader.keys.count)
        XCTAssertTrue(
            reference.contains("sip.timers.t1_ms (CHORUS_SIP_TIMERS_T1_MS): integer, 1 to 60000 (milliseconds); default 500"),
            reference)
    }

    // MARK: - Merging

    func testEmptyAndCommentOnlyFilesGiveTheDefaults() {
        XCTAssertEqual(loadConfiguration(""), .defaults)
        XCTAssertEqual(loadConfiguration("# nothing here\n\n"), .defaults)
        XCTAssertEqual(loadConfiguration("---\n"), .defaults)
        XCTAssertEqual(loadConfiguration("sip:\n"), .defaults, "an empty section is allowed")
    }

    func testPartialFileMergesWithDefaults() throws {
        let configuration = try XCTUnwrap(loadConfiguration("""
            log:
              level: debug
            sip:
              listen:
                - udp://127.0.0.1:5080
              timers:
                t1_ms: 250
            """))
        var expected = ChorusConfiguration.defaults
        expected.log.level = .debug
        expected.sip.listen = [ListenAddress(transport: .udp, host: "127.0.0.1", port: 5080)]
        expected.sip.timers.t1 = .milliseconds(250)
        XCTAssertEqual(configuration, expected)
        XCTAssertEqual(configuration.sip.timers.t2, .milliseconds(4000), "untouched sibling keeps its default")
    }

    func testEveryValueKindFromFile() throws {
        let configuration = try XCTUnwrap(loadConfiguration("""
            log: {level: WARNING}
            sip:
              public_host: "[2001:db8::1]"
              user_agent: 'Chorus/2.0'
              limits: {max_message_bytes: 1024, max_headers: 10000}
              timers: {t1_ms: 1, t2_ms: 1, t4_ms: 600000}
            shutdown:
              grace_seconds: 0
            """))
        XCTAssertEqual(configuration.log.level, .warning)
        XCTAssertEqual(configuration.sip.publicHost, "2001:db8::1")
        XCTAssertEqual(configuration.sip.userAgent, "Chorus/2.0")
        XCTAssertEqual(configuration.sip.limits, .init(maxMessageBytes: 1024, maxHeaders: 10000))
        XCTAssertEqual(configuration.sip.timers, .init(t1: .milliseconds(1), t2: .milliseconds(1), t4: .milliseconds(600_000)))
        XCTAssertEqual(configuration.shutdown.grace, .zero)
        XCTAssertEqual(loadConfiguration("sip:\n  public_host: pbx.example.com\n")?.sip.publicHost, "pbx.example.com")
        XCTAssertEqual(loadConfiguration("sip:\n  public_host: 203.0.113.7\n")?.sip.publicHost, "203.0.113.7")
        XCTAssertEqual(loadConfiguration("sip:\n  public_host:\n")?.sip.publicHost, nil)
    }

    // MARK: - File errors

    func testUnknownKeyNamesPathLineAndSuggestion() {
        XCTAssertEqual(
            configurationError("""
                log:
                  level: info
                sip:
                  timers:
                    t1: 500
                """),
            "test.yaml, line 5, column 5: sip.timers.t1: unknown key (did you mean sip.timers.t1_ms?)")
        XCTAssertEqual(
            configurationError("sip:\n  listen_on: udp://x\n"),
            "test.yaml, line 2, column 3: sip.listen_on: unknown key (did you mean sip.listen?)")
        XCTAssertEqual(
            configurationError("recording:\n  max: 3\n"),
            "test.yaml, line 2, column 3: recording.max: unknown key (did you mean recording.max_per_room?)")
        XCTAssertEqual(
            configurationError("video:\n  max: 3\n"),
            "test.yaml, line 1, column 1: video: unknown key (expected one of: log, sip, conference, media, commands, security, storage, shutdown, dialout, recording)")
        XCTAssertEqual(
            configurationError("timers:\n  t1_ms: 3\n"),
            "test.yaml, line 1, column 1: timers: unknown key (did you mean sip.timers?)")
    }

    func testWrongTypesNameKeyAndLine() {
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: fast\n"),
            #"test.yaml, line 3, column 12: sip.timers.t1_ms: expected an integer, got "fast""#)
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: \"500\"\n"),
            #"test.yaml, line 3, column 12: sip.timers.t1_ms: expected an integer, got the string "500" (remove the quotes)"#)
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: 1.5\n"),
            #"test.yaml, line 3, column 12: sip.timers.t1_ms: expected an integer, got "1.5""#)
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms:\n"),
            "test.yaml, line 3, column 11: sip.timers.t1_ms: missing value (expected an integer, 1 to 60000)")
        XCTAssertEqual(
            configurationError("sip:\n  listen: udp://0.0.0.0\n"),
            "test.yaml, line 2, column 11: sip.listen: expected a list (list of transport://host[:port] (udp, tcp, tls)), got a single value")
        XCTAssertEqual(
            configurationError("sip:\n  user_agent: [a, b]\n"),
            "test.yaml, line 2, column 15: sip.user_agent: expected a single value (non-empty text), got a list")
        XCTAssertEqual(
            configurationError("sip:\n  timers: 500\n"),
            #"test.yaml, line 2, column 11: sip.timers: expected a mapping of settings (t1_ms, t2_ms, t4_ms), got the value "500""#)
        XCTAssertEqual(
            configurationError("log:\n  level:\n    name: info\n"),
            "test.yaml, line 3, column 5: log.level: expected trace | debug | info | notice | warning | error | critical, got a mapping")
        XCTAssertEqual(
            configurationError("- udp://0.0.0.0\n"),
            "test.yaml, line 1, column 1: the top level: expected a mapping of settings (log, sip, conference, media, commands, security, storage, shutdown, dialout, recording), got a list")
    }

    func testOutOfRangeAndBadValuesNameKeyAndLine() {
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: 0\n"),
            "test.yaml, line 3, column 12: sip.timers.t1_ms: 0 is out of range (1 to 60000)")
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t4_ms: -5\n"),
            "test.yaml, line 3, column 12: sip.timers.t4_ms: -5 is out of range (1 to 600000)")
        XCTAssertEqual(
            configurationError("sip:\n  limits:\n    max_message_bytes: 99999999999999999999999\n"),
            "test.yaml, line 3, column 24: sip.limits.max_message_bytes: 99999999999999999999999 is out of range (1024 to 16777216)")
        XCTAssertEqual(
            configurationError("log:\n  level: verbose\n"),
            #"test.yaml, line 2, column 10: log.level: unknown log level "verbose" (expected trace, debug, info, notice, warning, error or critical)"#)
        XCTAssertEqual(
            configurationError("sip:\n  user_agent: \"\"\n"),
            "test.yaml, line 2, column 15: sip.user_agent: must not be empty")
        XCTAssertEqual(
            configurationError("sip:\n  user_agent: \"a\\r\\nX-Evil: 1\"\n"),
            "test.yaml, line 2, column 15: sip.user_agent: must not contain control characters (line breaks, tabs, ...)")
        XCTAssertEqual(
            configurationError("sip:\n  public_host: \"bad host\"\n"),
            #"test.yaml, line 2, column 16: sip.public_host: "bad host" is not a valid host name or IP address"#)
        XCTAssertEqual(
            configurationError("shutdown:\n  grace_seconds: 3601\n"),
            "test.yaml, line 2, column 18: shutdown.grace_seconds: 3601 is out of range (0 to 3600)")
    }

    func testT2LessThanT1IsRejectedAtTheKeySetLast() {
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: 500\n    t2_ms: 400\n"),
            "test.yaml, line 4, column 12: sip.timers.t2_ms: sip.timers.t2_ms (400 ms) must not be less than sip.timers.t1_ms (500 ms)")
        // Only T1 set by the user (the default T2 is 4000): the error points at T1.
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: 5000\n"),
            "test.yaml, line 3, column 12: sip.timers.t1_ms: sip.timers.t2_ms (4000 ms) must not be less than sip.timers.t1_ms (5000 ms)")
        XCTAssertEqual(
            configurationError("sip:\n  timers:\n    t1_ms: 500\n", environment: ["CHORUS_SIP_TIMERS_T2_MS": "100"]),
            "environment variable CHORUS_SIP_TIMERS_T2_MS: sip.timers.t2_ms: sip.timers.t2_ms (100 ms) must not be less than sip.timers.t1_ms (500 ms)")
        XCTAssertEqual(loadConfiguration("sip:\n  timers:\n    t1_ms: 700\n    t2_ms: 700\n")?.sip.timers.t2, .milliseconds(700))
    }

    func testEveryProblemIsReportedOneLineEach() {
        XCTAssertEqual(
            configurationError(
                "log:\n  level: loud\nsip:\n  timers:\n    t1_ms: x\n  colour: red\n",
                environment: ["CHORUS_NOPE": "1"]),
            """
            test.yaml, line 2, column 10: log.level: unknown log level "loud" (expected trace, debug, info, notice, warning, error or critical)
            test.yaml, line 5, column 12: sip.timers.t1_ms: expected an integer, got "x"
            test.yaml, line 6, column 3: sip.colour: unknown key (expected one of: listen, public_host, user_agent, timers, limits, tls)
            environment variable CHORUS_NOPE: unknown setting; CHORUS_* variables are reserved for configuration keys (and CHORUS_CONFIG)
            """)
    }

    func testYAMLSyntaxErrorsAndDuplicateKeysNameTheLine() {
        XCTAssertEqual(
            configurationError("log:\n  level: info\n level: debug\n"),
            "test.yaml, line 3, column 2: invalid YAML: did not find expected key (while parsing a block mapping at line 1, column 1)")
        XCTAssertEqual(
            configurationError("sip:\n  user_agent: a\n  user_agent: b\n"),
            #"test.yaml, line 2, column 3: duplicate key "user_agent" in the same mapping"#)
        XCTAssertEqual(
            configurationError("log: [info\n"),
            "test.yaml, line 2, column 1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 6)")
    }

    // MARK: - Files on disk

    func testLoadPathReadsFileAndNamesItInErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let good = directory.appendingPathComponent("good.yaml")
        try Data("sip:\n  user_agent: FromFile\n".utf8).write(to: good)
        XCTAssertEqual(try ConfigurationLoader.load(path: good.path, environment: [:]).sip.userAgent, "FromFile")

        let bad = directory.appendingPathComponent("bad.yaml")
        try Data("\nsip:\n  max_headers: 3\n".utf8).write(to: bad)
        XCTAssertThrowsError(try ConfigurationLoader.load(path: bad.path, environment: [:])) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "\(bad.path), line 3, column 3: sip.max_headers: unknown key (did you mean sip.limits.max_headers?)")
        }

        let missing = directory.appendingPathComponent("missing.yaml").path
        XCTAssertThrowsError(try ConfigurationLoader.load(path: missing, environment: [:])) { error in
            XCTAssertEqual((error as? ConfigurationError)?.message, "\(missing): cannot read the configuration file: no such file")
        }
        XCTAssertThrowsError(try ConfigurationLoader.load(path: directory.path, environment: [:])) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message, "\(directory.path): cannot read the configuration file: it is a directory")
        }
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0xff, 0xfe, 0x00, 0xc3]).write(to: binary)
        XCTAssertThrowsError(try ConfigurationLoader.load(path: binary.path, environment: [:])) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message, "\(binary.path): cannot read the configuration file: it is not UTF-8 text")
        }
    }
}
