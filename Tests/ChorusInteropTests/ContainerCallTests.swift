import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// A real call into a Chorus that runs elsewhere, e.g. the container image started by
/// Deploy/test-container.sh. Skipped unless CHORUS_EXTERNAL_SIP=HOST:PORT names it.
/// With CHORUS_EXTERNAL_STOP (a shell command, e.g. `podman stop NAME`), the test then stops the
/// server with it while both calls are up and checks that both get BYE.
final class ContainerCallTests: XCTestCase {
    func testTwoPhonesHearEachOtherThenStopHangsUpBoth() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let target = environment["CHORUS_EXTERNAL_SIP"], let colon = target.lastIndex(of: ":"),
              let port = Int(target[target.index(after: colon)...]) else {
            throw XCTSkip("set CHORUS_EXTERNAL_SIP=HOST:PORT to call an external Chorus")
        }
        let server = try SocketAddress(ipAddress: String(target[..<colon]), port: port)
        let one = try await TestPhone.dial(room: "container", server: server, options: .init(tone: 500))
        let two = try await TestPhone.dial(room: "container", server: server, options: .init(tone: 800))
        one.startSending()
        two.startSending()
        try await Task.sleep(for: .milliseconds(1600))
        ConferenceAudioCheck.assertHears(Array((await one.recording()).suffix(48_000)), sampleRate: 48_000, heard: [800], silent: [500], "phone 1")
        ConferenceAudioCheck.assertHears(Array((await two.recording()).suffix(48_000)), sampleRate: 48_000, heard: [500], silent: [800], "phone 2")

        guard let stopCommand = environment["CHORUS_EXTERNAL_STOP"] else {
            for phone in [one, two] {
                let status = try await phone.hangUp()
                XCTAssertEqual(status, 200)
                await phone.close()
            }
            return
        }
        let stop = Process()
        stop.executableURL = URL(fileURLWithPath: "/bin/sh")
        stop.arguments = ["-c", stopCommand]
        let started = ContinuousClock.now
        try stop.run()
        for (index, phone) in [one, two].enumerated() {
            let gotBye = try await phone.awaitRequest("BYE", timeout: .seconds(10))
            XCTAssertTrue(gotBye, "phone \(index + 1) is hung up with BYE when the server stops")
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while stop.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertFalse(stop.isRunning, "the stop command returned")
        if stop.isRunning { stop.terminate() }
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(stop.terminationStatus, 0, "\(stopCommand) succeeded")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("stop-to-exit: \(String(format: "%.2f", seconds)) s")
        for phone in [one, two] { await phone.close() }
    }
}
