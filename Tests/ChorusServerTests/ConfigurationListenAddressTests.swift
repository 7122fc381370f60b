import ChorusTestSupport
import XCTest
@testable import ChorusServer

final class ConfigurationListenAddressTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ListenAddress? {
        do {
            return try ListenAddress(parsing: text)
        } catch {
            XCTFail("\(text): \(error.message)", file: file, line: line)
            return nil
        }
    }

    private func problem(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let address = try ListenAddress(parsing: text)
            XCTFail("\(text) parsed as \(address)", file: file, line: line)
            return ""
        } catch {
            return error.message
        }
    }

    func testIPv4HostNameAndDefaultPort() {
        XCTAssertEqual(parse("udp://0.0.0.0:5060"), ListenAddress(transport: .udp, host: "0.0.0.0", port: 5060))
        XCTAssertEqual(parse("tcp://192.0.2.10:5070"), ListenAddress(transport: .tcp, host: "192.0.2.10", port: 5070))
        XCTAssertEqual(parse("udp://sip.example.com"), ListenAddress(transport: .udp, host: "sip.example.com", port: 5060))
        XCTAssertEqual(parse("TCP://localhost:0"), ListenAddress(transport: .tcp, host: "localhost", port: 0))
        XCTAssertEqual(parse("udp://127.0.0.1:65535")?.port, 65535)
    }

    func testTLSDefaultsToPort5061() {
        XCTAssertEqual(parse("tls://0.0.0.0"), ListenAddress(transport: .tls, host: "0.0.0.0", port: 5061))
        XCTAssertEqual(parse("TLS://[::1]:5071"), ListenAddress(transport: .tls, host: "::1", port: 5071))
        XCTAssertEqual(parse("tls://127.0.0.1:5061")?.description, "tls://127.0.0.1:5061")
    }

    func testIPv6() {
        XCTAssertEqual(parse("udp://[::1]:5060"), ListenAddress(transport: .udp, host: "::1", port: 5060))
        XCTAssertEqual(parse("tcp://[::]"), ListenAddress(transport: .tcp, host: "::", port: 5060))
        XCTAssertEqual(parse("udp://[2001:db8::1]:5080")?.host, "2001:db8::1")
        XCTAssertEqual(parse("udp://[::1]:5060")?.description, "udp://[::1]:5060")
        XCTAssertEqual(parse("tcp://[::]")?.isWildcard, true)
        XCTAssertEqual(parse("udp://0.0.0.0")?.isWildcard, true)
        XCTAssertEqual(parse("udp://127.0.0.1")?.isWildcard, false)
        XCTAssertEqual(
            problem("udp://::1:5060"),
            #"write the IPv6 address in "udp://::1:5060" in brackets, e.g. udp://[::1]:5060"#)
        XCTAssertEqual(
            problem("udp://[::1:5060"),
            #""udp://[::1:5060" has "[" without "]"; write IPv6 as udp://[::1]:5060"#)
        XCTAssertEqual(
            problem("udp://[127.0.0.1]:5060"),
            #""127.0.0.1" in "udp://[127.0.0.1]:5060" is not an IPv6 address (brackets are only for IPv6)"#)
        XCTAssertEqual(
            problem("udp://[zz::1]:5060"),
            #""zz::1" in "udp://[zz::1]:5060" is not an IPv6 address (brackets are only for IPv6)"#)
        XCTAssertEqual(
            problem("udp://[::1]5060"),
            #"unexpected "5060" after "]" in "udp://[::1]5060"; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
    }

    func testMissingScheme() {
        XCTAssertEqual(
            problem("0.0.0.0:5060"),
            #""0.0.0.0:5060" has no transport; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
        XCTAssertEqual(
            problem("://0.0.0.0:5060"),
            #""://0.0.0.0:5060" has no transport; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
    }

    func testUnknownAndUnsupportedTransports() {
        XCTAssertEqual(problem("sctp://0.0.0.0:5060"), #"unknown transport "sctp" in "sctp://0.0.0.0:5060" (expected udp, tcp or tls)"#)
        XCTAssertEqual(problem("ws://0.0.0.0:5060"), #"unknown transport "ws" in "ws://0.0.0.0:5060" (expected udp, tcp or tls)"#)
    }

    func testBadPortsAndHosts() {
        XCTAssertEqual(problem("udp://0.0.0.0:65536"), #"port 65536 in "udp://0.0.0.0:65536" is out of range (0 to 65535)"#)
        XCTAssertEqual(
            problem("udp://0.0.0.0:99999999999999999999999"),
            #"port 99999999999999999999999 in "udp://0.0.0.0:99999999999999999999999" is out of range (0 to 65535)"#)
        XCTAssertEqual(problem("udp://0.0.0.0:sip"), #"port "sip" in "udp://0.0.0.0:sip" is not a number"#)
        XCTAssertEqual(problem("udp://0.0.0.0:-1"), #"port "-1" in "udp://0.0.0.0:-1" is not a number"#)
        XCTAssertEqual(
            problem("udp://0.0.0.0:"),
            #""udp://0.0.0.0:" has ":" but no port; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
        XCTAssertEqual(
            problem("udp://:5060"), #""udp://:5060" has no host; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
        XCTAssertEqual(problem("udp://300.1.1.1"), #""300.1.1.1" is not a valid IPv4 address in "udp://300.1.1.1""#)
        XCTAssertEqual(problem("udp://bad_host"), #""bad_host" is not a valid host name or IP address in "udp://bad_host""#)
        XCTAssertEqual(
            problem("udp://host:5060/path"),
            #"unexpected "/path" in "udp://host:5060/path"; expected transport://host[:port], e.g. udp://0.0.0.0:5060 with no path, user or parameters"#)
        XCTAssertEqual(
            problem("udp://0.0.0.0 :5060"),
            #""udp://0.0.0.0 :5060" contains white space; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
    }

    func testListErrorsInAFileNameTheEntryLine() {
        XCTAssertEqual(
            configurationError("""
                sip:
                  listen:
                    - udp://0.0.0.0:5060
                    - sctp://0.0.0.0:5061
                """),
            #"test.yaml, line 4, column 7: sip.listen: unknown transport "sctp" in "sctp://0.0.0.0:5061" (expected udp, tcp or tls)"#)
        XCTAssertEqual(
            configurationError("sip:\n  listen:\n    - udp://0.0.0.0:70000\n"),
            #"test.yaml, line 3, column 7: sip.listen: port 70000 in "udp://0.0.0.0:70000" is out of range (0 to 65535)"#)
        XCTAssertEqual(
            configurationError("sip:\n  listen:\n    - 0.0.0.0:5060\n"),
            #"test.yaml, line 3, column 7: sip.listen: "0.0.0.0:5060" has no transport; expected transport://host[:port], e.g. udp://0.0.0.0:5060"#)
        XCTAssertEqual(
            configurationError("sip:\n  listen:\n    - udp://[::1]:5060\n    - udp://[::1]\n"),
            "test.yaml, line 4, column 7: sip.listen: udp://[::1]:5060 is listed twice")
        XCTAssertEqual(
            configurationError("sip:\n  listen: []\n"),
            "test.yaml, line 2, column 11: sip.listen: needs at least 1 entry, got 0")
        XCTAssertEqual(
            configurationError("sip:\n  listen:\n    - [udp://0.0.0.0]\n"),
            "test.yaml, line 3, column 7: sip.listen: list entries must be single values, got a list")
        XCTAssertEqual(
            loadConfiguration("sip:\n  listen:\n    - udp://[::1]:5062\n    - tcp://[fe80::1]\n")?.sip.listen,
            [
                ListenAddress(transport: .udp, host: "::1", port: 5062),
                ListenAddress(transport: .tcp, host: "fe80::1", port: 5060),
            ])
    }
}
