import Foundation
import ChorusTestSupport
import XCTest

/// The `chorus` executable as an operator runs it: serve, ping, check-config, SIGTERM.
final class ChorusCommandTests: XCTestCase {
    private func writeConfig(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testServePingAndSigtermExitCleanly() async throws {
        let port = try ChorusProcess.freePort()
        let server = ChorusProcess(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port),tcp://127.0.0.1:\(port)",
            "CHORUS_LOG_LEVEL": "info",
        ])
        try server.start()
        try await server.waitForOutput("Chorus is ready")

        let udp = try await ChorusProcess.run(["ping", "sip:127.0.0.1:\(port)"])
        XCTAssertEqual(udp.status, 0, udp.output)
        XCTAssertTrue(udp.output.contains("200 OK"), udp.output)
        let tcp = try await ChorusProcess.run(["ping", "sip:127.0.0.1:\(port);transport=tcp"])
        XCTAssertEqual(tcp.status, 0, tcp.output)

        server.signal(SIGTERM)
        let status = try await server.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(status, 0, server.text)
        XCTAssertTrue(server.text.contains("shutdown complete"), server.text)
        XCTAssertTrue(server.text.contains("OPTIONS sip:127.0.0.1:\(port) from udp:127.0.0.1:"), "one info line per transaction:\n\(server.text)")
    }

    func testServeOverTLSLogsTheFingerprintPingWorksAndABadCertificateStopsStartUp() async throws {
        let port = try ChorusProcess.freePort()
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-tls-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: storage) }
        let server = ChorusProcess(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "tls://127.0.0.1:\(port)", "CHORUS_STORAGE_DIRECTORY": storage,
        ])
        try server.start()
        try await server.waitForOutput("Chorus is ready")
        XCTAssertTrue(server.text.contains("self-signed, made now"), server.text)
        XCTAssertNotNil(server.text.range(of: #"SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}"#, options: .regularExpression), server.text)
        let ping = try await ChorusProcess.run(["ping", "sips:127.0.0.1:\(port)"])
        XCTAssertEqual(ping.status, 0, ping.output)
        XCTAssertTrue(ping.output.contains("200 OK"), ping.output)
        server.signal(SIGTERM)
        let status = try await server.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(status, 0, server.text)

        let broken = try await ChorusProcess.run(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "tls://127.0.0.1:\(port)", "CHORUS_STORAGE_DIRECTORY": storage,
            "CHORUS_SIP_TLS_CERTIFICATE_FILE": "/nonexistent/cert.pem", "CHORUS_SIP_TLS_PRIVATE_KEY_FILE": "/nonexistent/key.pem",
        ])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.output.contains("TLS: cannot read /nonexistent/cert.pem"), broken.output)
    }

    func testPingFailsWhenNobodyAnswers() async throws {
        let port = try ChorusProcess.freePort()
        let result = try await ChorusProcess.run(["ping", "sip:127.0.0.1:\(port)", "--timeout", "1"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("408"), result.output)
    }

    func testPingRejectsANonSipTarget() async throws {
        let result = try await ChorusProcess.run(["ping", "http://example.com"])
        XCTAssertNotEqual(result.status, 0)
    }

    func testCheckConfigAcceptsTheEmbeddedDefault() async throws {
        let result = try await ChorusProcess.run(["check-config"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("udp://0.0.0.0:5060"), result.output)
        XCTAssertTrue(result.output.contains("tcp://0.0.0.0:5060"), result.output)
    }

    func testCheckConfigNamesTheUnknownKeyAndItsLine() async throws {
        let path = try writeConfig("log:\n  level: info\nsip:\n  listne:\n    - udp://0.0.0.0:5060\n")
        let result = try await ChorusProcess.run(["check-config", "--config", path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("sip.listne"), result.output)
        XCTAssertTrue(result.output.contains("line 4"), result.output)
    }

    func testServeRefusesABadEnvironmentVariable() async throws {
        let result = try await ChorusProcess.run(["serve"], environment: ["CHORUS_SIP_TIMERS_T1_MS": "soon"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("CHORUS_SIP_TIMERS_T1_MS"), result.output)
    }

    func testServeReportsAPortItCannotBind() async throws {
        let port = try ChorusProcess.freePort()
        let first = ChorusProcess(["serve"], environment: ["CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port)"])
        try first.start()
        try await first.waitForOutput("Chorus is ready")
        let second = try await ChorusProcess.run(["serve"], environment: ["CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port)"])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.output.contains("cannot listen on udp://127.0.0.1:\(port)"), second.output)
        first.signal(SIGTERM)
        _ = try await first.waitForExit()
    }
}
