import ChorusServer
import ChorusTestSupport
import Foundation
import XCTest

/// SIPVicious against Chorus on loopback, configured as an exposed server would be: rooms that
/// exist only by configuration (no auto-create), one of them locked, command users with MD5 digest
/// (the only algorithm svcrack speaks). The scanners may find the server and the rooms anyone may
/// dial, and nothing else; the password cracker is throttled long before it reaches the password.
final class SipviciousTests: XCTestCase {
    static func configuration() -> ChorusConfiguration {
        var configuration = TestServer.configuration(listen: [ListenAddress(transport: .udp, host: "127.0.0.1", port: 0)])
        configuration.conference.autoCreate = false
        configuration.conference.rooms = [RoomSpec(id: "4200"), RoomSpec(id: "4300"), RoomSpec(id: "4400")]
        configuration.commands.users = [UserCredential(username: "alice", password: "wonderland")]
        configuration.commands.admins = ["alice"]
        configuration.commands.digestAlgorithms = [.md5]
        configuration.commands.maxFailuresPerMinute = 5
        // svwar sends as fast as it can: the request rate is not what this test is about.
        configuration.security.requestsPerSecond = 1000
        configuration.security.requestBurst = 1000
        return configuration
    }

    /// The extensions in svwar's result table (`| 4200 | noauth |`).
    static func extensions(in output: String) -> [String: String] {
        var found: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 2, cells[0].allSatisfy(\.isNumber), !cells[0].isEmpty else { continue }
            found[cells[0]] = cells[1]
        }
        return found
    }

    func testScannersFindOnlyWhatAnyoneMayDialAndTheCrackerIsThrottled() async throws {
        try Sipvicious.requireInstalled()
        let server = try await TestServer.start(Self.configuration())
        let port = String(try await server.address(.udp).port!)
        let admin = try await CommandClient(server: try await server.address(.udp), username: "alice", password: "wonderland")
        admin.algorithm = .md5
        let locked = try await admin.send("lock 4400")
        XCTAssertEqual(locked.status, 200)
        await admin.close()

        // svmap finds a SIP server, which it is; it learns its User-Agent and nothing else.
        let map = try await Sipvicious.run(.svmap, ["127.0.0.1", "-p", port])
        XCTAssertTrue(map.contains("127.0.0.1:\(port)") && map.contains("Chorus"), map)

        // svwar by INVITE: only the two open rooms answer differently from a room that does not
        // exist; the locked one looks exactly like nothing.
        let war = try await Sipvicious.run(.svwar, ["-m", "INVITE", "-e", "4190-4410", "127.0.0.1", "-p", port])
        XCTAssertEqual(Self.extensions(in: war), ["4200": "noauth", "4300": "noauth"], war)
        // By OPTIONS and REGISTER: nothing at all.
        for method in ["OPTIONS", "REGISTER"] {
            let output = try await Sipvicious.run(.svwar, ["-m", method, "-e", "4190-4410", "127.0.0.1", "-p", port])
            XCTAssertEqual(Self.extensions(in: output), [:], "\(method): \(output)")
        }

        // svcrack on the command user, the right password 50th in its dictionary: after
        // commands.max_failures_per_minute (5) wrong guesses the source is refused and svcrack gives up.
        let dictionary = FileManager.default.temporaryDirectory.appendingPathComponent("svcrack-\(UUID().uuidString).txt")
        let guesses = (1...49).map { "guess\($0)" } + ["wonderland"] + (51...100).map { "guess\($0)" }
        try Data(guesses.joined(separator: "\n").utf8).write(to: dictionary)
        defer { try? FileManager.default.removeItem(at: dictionary) }
        let started = ContinuousClock.now
        let crack = try await Sipvicious.run(.svcrack, ["-u", "alice", "-m", "MESSAGE", "-d", dictionary.path, "127.0.0.1", "-p", port])
        XCTAssertFalse(crack.contains("wonderland"), crack)
        XCTAssertTrue(crack.contains("found nothing"), crack)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(60))
        // And the right password from that address is refused until the bucket refills.
        let late = try await CommandClient(server: try await server.address(.udp), username: "alice", password: "wonderland")
        late.algorithm = .md5
        let refused = try await late.send("rooms")
        XCTAssertEqual(refused.status, 503)
        await late.close()
        await server.shutdown()
    }
}
