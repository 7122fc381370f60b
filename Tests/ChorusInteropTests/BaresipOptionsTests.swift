import ChorusServer
import ChorusTestSupport
import XCTest

/// baresip, a SIP client nobody here wrote, talking to a running Chorus.
final class BaresipOptionsTests: XCTestCase {
    /// baresip prints `----- OPTIONS of URI -----` and then the status line of the answer.
    private func optionsAnswer(in log: String, for uri: String) -> Substring? {
        guard let header = log.range(of: "OPTIONS of \(uri) -----") else { return nil }
        guard let status = log[header.upperBound...].range(of: "SIP/2.0 ") else { return nil }
        return log[status.lowerBound...].prefix { !$0.isNewline }
    }

    func testBaresipSendsOptionsOverUDPAndTCPAndGets200() async throws {
        let server = try await TestServer.start()
        let udpPort = try await server.address(.udp).port!
        let tcpPort = try await server.address(.tcp).port!
        let baresip = try Baresip()
        defer { baresip.stop() }

        for uri in ["sip:chorus@127.0.0.1:\(udpPort)", "sip:chorus@127.0.0.1:\(tcpPort);transport=tcp"] {
            let reply = try await baresip.command("options", uri)
            XCTAssertEqual(reply["ok"] as? Bool, true, "ctrl_tcp accepted the command: \(reply)")
            try await baresip.waitForLog("the answer to OPTIONS \(uri)") { self.optionsAnswer(in: $0, for: uri) != nil }
            XCTAssertEqual(optionsAnswer(in: baresip.log, for: uri).map(String.init), "SIP/2.0 200 OK", baresip.log)
        }
        XCTAssertTrue(baresip.log.contains("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO"), baresip.log)
        await server.shutdown()
    }
}
