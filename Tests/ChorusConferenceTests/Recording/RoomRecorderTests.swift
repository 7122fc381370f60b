import ChorusConference
import ChorusTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A recording that cannot go on says so: a write the disk refuses, or a file deleted under the
/// open recording, stops it and calls `onFailure` once, on the room's loop.
final class RoomRecorderTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var pool: NIOThreadPool!
    private var folder: URL!
    private let silence = [Int16](repeating: 0, count: 960)

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("recorder-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        try await pool.shutdownGracefully()
        try await group.shutdownGracefully()
        try? FileManager.default.removeItem(at: folder)
    }

    /// A recorder on the loop, whose failures land in the returned future (succeeded with the reason).
    private func recorder(_ loop: any EventLoop, logs: CapturingLogHandler.Store) throws -> (RoomRecorder, EventLoopFuture<String>) {
        let recorder = try RoomRecorder(
            url: folder.appendingPathComponent("room-1.opus"), room: "room", startedAt: Date(), bitrate: 32_000, threadPool: pool,
            eventLoop: loop, logger: CapturingLogHandler.logger(logs))
        let failed = loop.makePromise(of: String.self)
        try loop.submit {
            recorder.onFailure = { reason in
                loop.preconditionInEventLoop()
                failed.succeed(reason)
            }
        }.wait()
        // Every wait is bounded: no report within 10 s fails the test (a later completion is ignored).
        loop.scheduleTask(in: .seconds(10)) { failed.fail(NoReport()) }
        return (recorder, failed.futureResult)
    }

    private struct NoReport: Error {}

    /// Appends `ticks` frames of silence on the loop.
    private func append(_ ticks: Int, to recorder: RoomRecorder, on loop: any EventLoop) throws {
        let silence = self.silence
        try loop.submit { silence.withUnsafeBufferPointer { frame in for _ in 0..<ticks { recorder.append(frame) } } }.wait()
    }

    func testADiskThatFillsUpStopsTheRecordingOnceWithTheSystemsError() throws {
        let loop = group.next()
        let logs = CapturingLogHandler.Store()
        let (recorder, failed) = try recorder(loop, logs: logs)
        try append(10, to: recorder, on: loop)
        let fd = try XCTUnwrap(OpenFileDescriptors.descriptor(of: recorder.url))
        try OpenFileDescriptors.fillDisk(under: fd)
        try append(100, to: recorder, on: loop)  // 2 s: pages were due
        let reason = try failed.wait()
        XCTAssertTrue(reason.contains("No space left on device"), reason)
        // Once: more audio neither writes nor reports again.
        try append(300, to: recorder, on: loop)
        let reports = logs.messages.filter { $0.contains("failed and stopped") }
        XCTAssertEqual(reports.count, 1, "\(logs.messages)")
        try loop.submit { recorder.finish() }.wait()
    }

    func testAFileDeletedUnderTheRecordingIsNoticedAtTheNextSync() throws {
        let loop = group.next()
        let logs = CapturingLogHandler.Store()
        let (recorder, failed) = try recorder(loop, logs: logs)
        try append(10, to: recorder, on: loop)
        XCTAssertEqual(unlink(recorder.url.path), 0)
        // Writes to a deleted file succeed, into nothing; the sync after 250 ticks (5 s of audio) finds out.
        try append(260, to: recorder, on: loop)
        let reason = try failed.wait()
        XCTAssertEqual(reason, "the recording's file was deleted")
        XCTAssertTrue(logs.messages.contains { $0.contains("room-1.opus failed and stopped: the recording's file was deleted") }, "\(logs.messages)")
        try loop.submit { recorder.finish() }.wait()
    }
}
