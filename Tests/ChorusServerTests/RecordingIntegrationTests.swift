import ChorusServer
import ChorusSIP
import ChorusTestSupport
import Foundation
import NIOCore
import XCTest

/// Recording rooms: `record ROOM start|stop` and `recordings ROOM` against the real server, and
/// a configured room recorded by the `chorus` binary that is killed with SIGKILL. The files are
/// checked with Debian's opus-tools (opusinfo, opusdec) and by spectrum: both participants'
/// tones are in the mix.
final class RecordingIntegrationTests: XCTestCase {
    private func files(in directory: URL, room: String) -> [URL] {
        let folder = directory.appendingPathComponent("recordings/\(room)")
        return ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "opus" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testRecordStartAndStopWriteAnOggOpusFileOfTheRoomsMixWithBothTones() async throws {
        try OpusTools.requireInstalled()
        var configuration = CommandIntegrationTests.configuration()
        configuration.recording.maxPerRoom = 2
        let storage = URL(fileURLWithPath: configuration.storage.directory)
        defer { try? FileManager.default.removeItem(at: storage) }
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let early = try await admin.send("record 4200 start")
        XCTAssertEqual(early.reply, "error: no room 4200", "an auto-created room exists only while it runs")

        let tones = ConferenceAudioCheck.tones
        let first = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        let second = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .pcmu, tone: tones[1]))
        for phone in [first, second] { phone.startSending() }
        try await Task.sleep(for: .milliseconds(300))
        let started = try await admin.send("record 4200 start")
        XCTAssertTrue(started.reply?.hasPrefix("recording room 4200 to 4200-") ?? false, started.reply ?? "")
        let again = try await admin.send("record 4200 start")
        XCTAssertEqual(again.reply, "error: room 4200 is being recorded already")
        // Everyone hears the recording tone (740 Hz, then 988 Hz).
        let cue = try await first.listen(for: .milliseconds(600))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: 988, in: cue, sampleRate: 48_000), -30, "the recording tone")
        let info = try await admin.send("info 4200 --json")
        XCTAssertTrue(info.reply?.contains("\"recording\":true") ?? false, info.reply ?? "")
        let listed = try await admin.send("recordings 4200")
        XCTAssertTrue(listed.reply?.contains("recording") ?? false, "the file in progress is listed: \(listed.reply ?? "")")
        try await Task.sleep(for: .seconds(3))
        let stopped = try await admin.send("record 4200 stop")
        XCTAssertTrue(stopped.reply?.hasPrefix("stopped recording room 4200") ?? false, stopped.reply ?? "")
        try await Task.sleep(for: .milliseconds(300))

        let recorded = files(in: storage, room: "4200")
        XCTAssertEqual(recorded.count, 1)
        guard let file = recorded.first else { return }
        let (status, output) = try OpusTools.info(file)
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("Channels: 1"), output)
        XCTAssertTrue(output.contains("TITLE=Chorus room 4200"), output)
        let samples = try OpusTools.decode(file)
        let seconds = Double(samples.count) / 48_000
        XCTAssertGreaterThan(seconds, 3.2, "about 3.6 s were recorded")
        XCTAssertLessThan(seconds, 5)
        // The tail, past the recording tone: the mix of both talkers.
        let mix = Array(samples.suffix(96_000))
        for tone in tones.prefix(2) {
            XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tone, in: mix, sampleRate: 48_000), -15, "\(tone) Hz is in the recording")
        }
        XCTAssertLessThan(ConferenceAudioCheck.level(of: tones[2], in: mix, sampleRate: 48_000), -35, "no tone nobody sent")

        // Retention: at most 2 per room, so the third recording deletes the first.
        for _ in 0..<2 {
            try await Task.sleep(for: .milliseconds(1100))  // names are to the second
            _ = try await admin.send("record 4200 start")
            _ = try await admin.send("record 4200 stop")
        }
        try await Task.sleep(for: .milliseconds(300))
        let kept = files(in: storage, room: "4200")
        XCTAssertEqual(kept.count, 2)
        XCTAssertFalse(kept.contains(file), "the oldest went")
        let all = try await admin.send("recordings 4200 --json")
        XCTAssertEqual(all.reply?.components(separatedBy: "\"file\"").count, 3, all.reply ?? "")
        for phone in [first, second] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testARecordingSurvivesKillMinus9UpToTheLastSeconds() async throws {
        try OpusTools.requireInstalled()
        let port = try ChorusProcess.freePort()
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        let server = ChorusProcess(["serve"], environment: [
            "CHORUS_SIP_LISTEN": "udp://127.0.0.1:\(port)", "CHORUS_STORAGE_DIRECTORY": storage.path, "CHORUS_RECORDING_ROOMS": "4200",
        ])
        try server.start()
        try await server.waitForOutput("Chorus is ready")
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let tones = ConferenceAudioCheck.tones
        let first = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[0]))
        let second = try await TestPhone.dial(room: "4200", server: address, options: .init(codec: .opus, tone: tones[1]))
        for phone in [first, second] { phone.startSending() }
        let talking = ContinuousClock.now
        try await Task.sleep(for: .seconds(6))
        server.signal(SIGKILL)
        let elapsed = Double((ContinuousClock.now - talking).components.seconds)
        _ = try? await server.waitForExit(timeout: .seconds(5))
        for phone in [first, second] { await phone.close() }

        let recorded = files(in: storage, room: "4200")
        XCTAssertEqual(recorded.count, 1)
        guard let file = recorded.first else { return }
        let samples = try OpusTools.decode(file)
        let seconds = Double(samples.count) / 48_000
        // The room started with the first phone, a moment before the talking began.
        XCTAssertGreaterThan(seconds, elapsed - 2.5, "all but the last seconds survived (\(seconds) s of \(elapsed) s)")
        let mix = Array(samples.suffix(96_000))
        for tone in tones.prefix(2) {
            XCTAssertGreaterThan(ConferenceAudioCheck.level(of: tone, in: mix, sampleRate: 48_000), -15, "\(tone) Hz is in the recording")
        }
    }

    func testRoomIdsThatAreNoFileNamesAreNeverRecordedAndRecordingsOutliveTheirRoom() async throws {
        try OpusTools.requireInstalled()
        // The storage directory sits three levels down, so a room id that climbs out of it
        // (the Request-URI's user part may hold `/` and `..`) would land inside `base`.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-rec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let storage = base.appendingPathComponent("one/two/storage")
        var configuration = CommandIntegrationTests.configuration(storage: storage)
        configuration.recording.rooms = ["*"]
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")

        let climbers = try await [
            TestPhone.dial(room: "../..", server: address), TestPhone.dial(room: "x/../../../escape", server: address),
        ]
        let honest = try await TestPhone.dial(room: "4500", server: address, options: .init(codec: .opus, tone: ConferenceAudioCheck.tones[0]))
        honest.startSending()
        try await Task.sleep(for: .seconds(1))
        let refused = try await admin.send("record ../.. start")
        XCTAssertTrue(refused.reply?.hasPrefix("error: ") ?? false, refused.reply ?? "")
        XCTAssertFalse(refused.reply?.hasPrefix("error: room ../.. is being recorded") ?? true, "it was never recorded: \(refused.reply ?? "")")
        await honest.stopSending()
        _ = try await honest.hangUp()
        for phone in climbers { _ = try await phone.hangUp() }
        try await Task.sleep(for: .milliseconds(300))

        // Only room 4500 has a file, in its folder; nothing anywhere else below `base`.
        let written = (FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.pathExtension == "opus" }.map { $0.resolvingSymlinksInPath().path }
        XCTAssertEqual(written.count, 1, "\(written)")
        XCTAssertTrue(written.first?.hasPrefix(storage.appendingPathComponent("recordings/4500/4500-").resolvingSymlinksInPath().path) ?? false, "\(written)")
        // Room 4500 was auto-created and is gone now; its recording is still listed.
        let gone = try await admin.send("info 4500")
        XCTAssertEqual(gone.reply, "error: no room 4500")
        let listed = try await admin.send("recordings 4500 --json")
        XCTAssertEqual(listed.reply?.components(separatedBy: "\"file\"").count, 2, listed.reply ?? "")
        XCTAssertTrue(listed.reply?.contains("\"inProgress\":false") ?? false, listed.reply ?? "")
        let unknown = try await admin.send("recordings nosuchroom")
        XCTAssertEqual(unknown.reply, "error: no room nosuchroom")
        for phone in climbers + [honest] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testAConfiguredRoomStoppedByCommandStaysUnrecordedUntilItRunsAgain() async throws {
        var configuration = CommandIntegrationTests.configuration()
        configuration.recording.rooms = ["4700"]
        let storage = URL(fileURLWithPath: configuration.storage.directory)
        defer { try? FileManager.default.removeItem(at: storage) }
        let server = try await TestServer.start(configuration)
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let first = try await TestPhone.dial(room: "4700", server: address)
        let recording = try await admin.send("info 4700 --json")
        XCTAssertTrue(recording.reply?.contains("\"recording\":true") ?? false, "recorded from the first participant on")
        let stopped = try await admin.send("record 4700 stop")
        XCTAssertTrue(stopped.reply?.hasPrefix("stopped recording room 4700") ?? false, stopped.reply ?? "")
        // Someone else joins: the operator's stop holds.
        let second = try await TestPhone.dial(room: "4700", server: address)
        try await Task.sleep(for: .milliseconds(200))
        let still = try await admin.send("info 4700 --json")
        XCTAssertTrue(still.reply?.contains("\"recording\":false") ?? false, still.reply ?? "")
        // The room ends and runs again: recorded again, in a second file.
        for phone in [first, second] { _ = try await phone.hangUp() }
        try await Task.sleep(for: .milliseconds(1100))  // names are to the second
        let again = try await TestPhone.dial(room: "4700", server: address)
        let rerun = try await admin.send("info 4700 --json")
        XCTAssertTrue(rerun.reply?.contains("\"recording\":true") ?? false, rerun.reply ?? "")
        _ = try await again.hangUp()
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(files(in: storage, room: "4700").count, 2)
        for phone in [first, second, again] { await phone.close() }
        await admin.close()
        await server.shutdown()
    }

    func testARecordingThatCannotBeWrittenStopsWithTheToneAndRosterAndInfoSaySo() async throws {
        try OpusTools.requireInstalled()
        try XMLSchemaCheck.requireInstalled()
        let logs = CapturingLogHandler.Store()
        var configuration = CommandIntegrationTests.configuration()
        configuration.recording.rooms = ["4800"]
        let storage = URL(fileURLWithPath: configuration.storage.directory)
        defer { try? FileManager.default.removeItem(at: storage) }
        let server = try await TestServer.start(configuration, logger: CapturingLogHandler.logger(logs, level: .warning))
        let address = try await server.address(.udp)
        let admin = try await CommandClient(server: address, username: "alice", password: "wonderland")
        let phone = try await TestPhone.dial(room: "4800", server: address)
        // Recorded from the first participant on: the start tone (740 Hz, then 988 Hz).
        let cue = try await phone.listen(for: .milliseconds(700))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: 988, in: cue, sampleRate: 48_000), -30, "the recording tone")
        let watcher = try await EventSubscriber(server: address, user: "4800", username: "alice", password: "wonderland")
        let subscribed = try await watcher.subscribe(expires: 60)
        XCTAssertEqual(subscribed.statusCode, 200)
        let full = try await watcher.nextNotify()
        XCTAssertTrue(full?.body.contains("<chorus:recording>true</chorus:recording>") ?? false, full?.body ?? "")
        try await Task.sleep(for: .milliseconds(1200))  // a page or two reach the file
        let quiet = try await phone.listen(for: .milliseconds(400))
        XCTAssertLessThan(ConferenceAudioCheck.level(of: 740, in: quiet, sampleRate: 48_000), -35, "no tone while it records")

        // The disk fills up under the open recording.
        let file = try XCTUnwrap(files(in: storage, room: "4800").first)
        let fd = try XCTUnwrap(OpenFileDescriptors.descriptor(of: file), "the server has the recording open")
        try OpenFileDescriptors.fillDisk(under: fd)

        // Within about a second (the next page): the stop tone (988 Hz, then 740 Hz) ...
        let stopTone = try await phone.listen(for: .milliseconds(2500))
        XCTAssertGreaterThan(ConferenceAudioCheck.level(of: 740, in: stopTone, sampleRate: 48_000), -30, "the recording-stopped tone")
        // ... the roster, `info` and `recordings` say it is no longer recorded ...
        var stopped: EventSubscriber.Notification?
        while stopped == nil, let next = try await watcher.nextNotify(timeout: .seconds(3)) {
            let problems = try XMLSchemaCheck.problems(in: next.body, schema: ConferenceEventsIntegrationTests.schema)
            XCTAssertNil(problems, "\(problems ?? "")\n\(next.body)")
            if next.body.contains("<chorus:recording>false</chorus:recording>") { stopped = next }
        }
        XCTAssertNotNil(stopped, "the roster shows the recording stopped")
        let info = try await admin.send("info 4800 --json")
        XCTAssertTrue(info.reply?.contains("\"recording\":false") ?? false, info.reply ?? "")
        let listed = try await admin.send("recordings 4800 --json")
        XCTAssertTrue(listed.reply?.contains("\"inProgress\":false") ?? false, listed.reply ?? "")
        XCTAssertFalse(listed.reply?.contains("\"inProgress\":true") ?? true, listed.reply ?? "")
        // ... and the log says why.
        XCTAssertTrue(
            logs.messages.contains { $0.contains("\(file.lastPathComponent) failed and stopped: cannot write the recording: No space left on device") },
            "\(logs.messages)")

        // The next join does not start another recording on the same disk; the call goes on.
        let second = try await TestPhone.dial(room: "4800", server: address)
        try await Task.sleep(for: .milliseconds(300))
        let still = try await admin.send("info 4800 --json")
        XCTAssertTrue(still.reply?.contains("\"recording\":false") ?? false, still.reply ?? "")
        XCTAssertEqual(files(in: storage, room: "4800").count, 1)
        // What was written before the disk filled up still plays.
        let samples = try OpusTools.decode(file)
        XCTAssertGreaterThan(samples.count, 48_000 / 2, "at least the first page or so of audio")
        for phone in [phone, second] { await phone.close() }
        await watcher.close()
        await admin.close()
        await server.shutdown()
    }
}
