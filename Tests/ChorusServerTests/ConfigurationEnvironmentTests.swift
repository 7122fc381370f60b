import ChorusTestSupport
import XCTest
@testable import ChorusServer

final class ConfigurationEnvironmentTests: XCTestCase {
    func testScalarOverrides() throws {
        let configuration = try XCTUnwrap(loadConfiguration("", environment: [
            "CHORUS_LOG_LEVEL": "debug",
            "CHORUS_SIP_USER_AGENT": "Chorus Test",
            "CHORUS_SIP_PUBLIC_HOST": "pbx.example.com",
            "CHORUS_SIP_LIMITS_MAX_MESSAGE_BYTES": "2048",
            "CHORUS_SIP_LIMITS_MAX_HEADERS": " 64 ",
        ]))
        XCTAssertEqual(configuration.log.level, .debug)
        XCTAssertEqual(configuration.sip.userAgent, "Chorus Test")
        XCTAssertEqual(configuration.sip.publicHost, "pbx.example.com")
        XCTAssertEqual(configuration.sip.limits, .init(maxMessageBytes: 2048, maxHeaders: 64))
    }

    func testDurationOverrides() throws {
        let configuration = try XCTUnwrap(loadConfiguration("", environment: [
            "CHORUS_SIP_TIMERS_T1_MS": "200",
            "CHORUS_SIP_TIMERS_T2_MS": "3000",
            "CHORUS_SIP_TIMERS_T4_MS": "4000",
            "CHORUS_SHUTDOWN_GRACE_SECONDS": "12",
        ]))
        XCTAssertEqual(configuration.sip.timers, .init(t1: .milliseconds(200), t2: .milliseconds(3000), t4: .milliseconds(4000)))
        XCTAssertEqual(configuration.shutdown.grace, .seconds(12))
    }

    func testListOverrideIsCommaSeparatedAndReplacesTheList() throws {
        let configuration = try XCTUnwrap(loadConfiguration(
            "sip:\n  listen: [udp://10.0.0.1]\n",
            environment: ["CHORUS_SIP_LISTEN": "udp://0.0.0.0:5070, tcp://[::]:5071,udp://[::1]"]))
        XCTAssertEqual(configuration.sip.listen, [
            ListenAddress(transport: .udp, host: "0.0.0.0", port: 5070),
            ListenAddress(transport: .tcp, host: "::", port: 5071),
            ListenAddress(transport: .udp, host: "::1", port: 5060),
        ])
    }

    func testEnvironmentOverridesTheFile() {
        let configuration = loadConfiguration(
            "log:\n  level: error\nsip:\n  timers:\n    t1_ms: 100\n",
            environment: ["CHORUS_LOG_LEVEL": "trace"])
        XCTAssertEqual(configuration?.log.level, .trace)
        XCTAssertEqual(configuration?.sip.timers.t1, .milliseconds(100), "file value kept where no variable is set")
    }

    func testEmptyPublicHostVariableClearsIt() {
        XCTAssertNil(loadConfiguration("sip:\n  public_host: a.example\n", environment: ["CHORUS_SIP_PUBLIC_HOST": ""])?.sip.publicHost)
    }

    func testUnknownVariableIsRejectedByName() {
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_TIMER_T1_MS": "500"]),
            "environment variable CHORUS_SIP_TIMER_T1_MS: unknown setting (did you mean CHORUS_SIP_TIMERS_T1_MS?)")
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_ROOMS": "3"]),
            "environment variable CHORUS_ROOMS: unknown setting; CHORUS_* variables are reserved for configuration keys (and CHORUS_CONFIG)")
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP": "x"]),
            "environment variable CHORUS_SIP: unknown setting; CHORUS_* variables are reserved for configuration keys (and CHORUS_CONFIG)")
    }

    func testConfigVariableIsReservedAndOtherVariablesAreIgnored() {
        XCTAssertEqual(
            loadConfiguration("", environment: ["CHORUS_CONFIG": "/etc/chorus.yaml", "PATH": "/bin", "chorus_log_level": "x"]),
            .defaults)
    }

    func testBadValuesNameTheVariable() {
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_TIMERS_T1_MS": "fast"]),
            #"environment variable CHORUS_SIP_TIMERS_T1_MS: sip.timers.t1_ms: expected an integer, got "fast""#)
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_TIMERS_T1_MS": ""]),
            "environment variable CHORUS_SIP_TIMERS_T1_MS: sip.timers.t1_ms: missing value (expected an integer, 1 to 60000)")
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_LOG_LEVEL": "loud"]),
            #"environment variable CHORUS_LOG_LEVEL: log.level: unknown log level "loud" (expected trace, debug, info, notice, warning, error or critical)"#)
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_LISTEN": "udp://0.0.0.0:5060,,tcp://0.0.0.0"]),
            "environment variable CHORUS_SIP_LISTEN: sip.listen: empty listen address; expected transport://host[:port], e.g. udp://0.0.0.0:5060")
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_LISTEN": ""]),
            "environment variable CHORUS_SIP_LISTEN: sip.listen: needs at least 1 entry, got 0")
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_LISTEN": "sctp://0.0.0.0:5061"]),
            #"environment variable CHORUS_SIP_LISTEN: sip.listen: unknown transport "sctp" in "sctp://0.0.0.0:5061" (expected udp, tcp or tls)"#)
        XCTAssertEqual(
            configurationError("", environment: ["CHORUS_SIP_TIMERS_T1_MS": "9000"]),
            "environment variable CHORUS_SIP_TIMERS_T1_MS: sip.timers.t1_ms: sip.timers.t2_ms (4000 ms) must not be less than sip.timers.t1_ms (9000 ms)")
    }
}
