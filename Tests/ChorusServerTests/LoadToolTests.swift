import ChorusTestSupport
import Foundation
import XCTest

/// `chorus-load` against the real `chorus` binary, small: the tool the performance figures come
/// from must itself be right (joins, real-time delivery, who hears whom by spectrum), and the
/// server must leave the silent participants it tells about undecoded.
final class LoadToolTests: XCTestCase {
    private func runLoad(_ extra: [String]) async throws -> (load: ChorusProcess.Result, serverLog: String) {
        let port = try ChorusProcess.freePort()
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-load-test-\(UUID().uuidString)").path
        let server = ChorusProcess(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port)",
            "CHORUS_LOG_LEVEL": "info",
            "CHORUS_STORAGE_DIRECTORY": storage,
            "CHORUS_CONFERENCE_JOIN_TONES": "false",
            "CHORUS_MEDIA_REPORT_INTERVAL_SECONDS": "1",
        ])
        try server.start()
        try await server.waitForOutput("Chorus is ready")
        // 6 s measured, 3,600 intervals: the p99 judges the stream, not one stall. The 30 ms target
        // is for release builds (Benchmarks/load-targets.sh); here a debug server, a debug
        // chorus-load and the test process share 2 cores, and chorus-load's own sending was seen
        // late by up to 10 ms (p99), so the limit is 45 ms. Rates, loss and the audio check are as strict.
        let load = try await ChorusProcess.run(
            ["--server", "127.0.0.1:\(port)", "--participants", "12", "--talkers", "3", "--warmup", "2", "--duration", "6", "--inter-arrival-limit", "45",
             "--server-pid", String(server.process.processIdentifier)] + extra,
            executable: "chorus-load", timeout: .seconds(60))
        server.signal(SIGTERM)
        _ = try await server.waitForExit(timeout: .seconds(10))
        try? FileManager.default.removeItem(atPath: storage)
        return (load, server.text)
    }

    func testTwelveParticipantsInRealTimeEachHearingTheOtherTalkersOnly() async throws {
        let (load, serverLog) = try await runLoad([])
        XCTAssertEqual(load.status, 0, load.output)
        XCTAssertTrue(load.output.contains("answered 200 OK: 12/12"), load.output)
        XCTAssertTrue(load.output.contains("with media flowing: 12/12"), load.output)
        XCTAssertTrue(load.output.contains("outside 50 ± 2.5: 0"), load.output)
        XCTAssertTrue(load.output.contains("PASSED"), load.output)
        XCTAssertTrue(load.output.contains("Chorus CPU:"), load.output)
        XCTAssertFalse(load.output.contains("✗"), load.output)
        // Nine listeners sending noise with levels: the room leaves them undecoded (about 450 a second).
        let reports = serverLog.split(separator: "\n").filter { $0.contains("media report: 12 participants") }
        XCTAssertFalse(reports.isEmpty, serverLog)
        let undecoded = reports.compactMap { line -> Int? in
            guard let range = line.range(of: "left undecoded ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        XCTAssertGreaterThan(undecoded.max() ?? 0, 300, reports.joined(separator: "\n"))
    }

    func testARunOverItsInterArrivalLimitFails() async throws {
        // Packets come every 20 ms, so a 15 ms limit cannot be met: the run must say so and exit 1.
        let (load, _) = try await runLoad(["--inter-arrival-limit", "15"])
        XCTAssertEqual(load.status, 1, load.output)
        XCTAssertTrue(load.output.contains("FAILED: real-time checks (every participant 50 ± 2.5 packets/s, loss < 0.1 %, inter-arrival p99 < 15 ms"), load.output)
    }

    func testDTXListenersAndSRTP() async throws {
        let (load, _) = try await runLoad(["--dtx", "--srtp"])
        XCTAssertEqual(load.status, 0, load.output)
        XCTAssertTrue(load.output.contains("SDES-SRTP"), load.output)
        XCTAssertTrue(load.output.contains("PASSED"), load.output)
    }
}
