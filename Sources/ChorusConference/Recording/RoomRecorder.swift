import ChorusCodecs
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records one room's mix into an Ogg Opus file: the frame everyone hears, encoded once per tick.
///
/// ``append(_:)`` runs on the room's event loop each tick: it encodes (libopusenc) and writes
/// each Ogg page with one `write(2)` as it completes, at least once a second, so a crash loses
/// at most about the last second. `fsync` every few seconds, and the final `fsync` and `close`,
/// run on a thread pool, never on the room's loop.
///
/// When the recording cannot go on (a write or `fsync` fails: disk full, I/O error; or the file
/// was deleted, found at the next `fsync`), it logs why, writes nothing more, and tells
/// ``onFailure`` once, on the room's loop; ``finish()`` still closes the file, which plays up to
/// the last page written.
public final class RoomRecorder: @unchecked Sendable {
    /// Ogg pages are completed after at most this much audio (48 kHz samples): 1 s.
    static let maximumPageDelay: Int32 = 48_000
    /// Ticks between `fsync`s (250 × 20 ms: 5 s).
    static let syncInterval = 250

    /// The recording's file.
    public let url: URL
    /// When the recording started (its name and `DATE` tag say so too).
    public let startedAt: Date
    private let fd: Int32
    private let writer: OggOpusWriter
    private let threadPool: NIOThreadPool
    private let eventLoop: any EventLoop
    private let logger: Logger
    private var ticksSinceSync = 0
    private var failed = false
    private var finished = false
    /// Called once, on the room's loop, with why the recording stopped. Set it on that loop.
    public var onFailure: ((String) -> Void)?

    /// Creates the file (never overwriting one) and writes the Ogg Opus headers. `eventLoop` is
    /// the room's: ``append(_:)`` and ``finish()`` are called there, and ``onFailure`` is.
    public init(
        url: URL, room: String, startedAt: Date, bitrate: Int, threadPool: NIOThreadPool, eventLoop: any EventLoop, logger: Logger
    ) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw RecorderError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        let date = ISO8601DateFormatter().string(from: startedAt)
        do {
            writer = try OggOpusWriter(
                fileDescriptor: fd, comments: [("TITLE", "Chorus room \(room)"), ("DATE", date), ("ENCODER", "Chorus")],
                bitrate: Int32(bitrate), maximumDelay: Self.maximumPageDelay)
        } catch {
            close(fd)
            unlink(url.path)
            throw error
        }
        self.fd = fd
        self.url = url
        self.startedAt = startedAt
        self.threadPool = threadPool
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// One tick of the mix (48 kHz mono). Call on the room's loop.
    public func append(_ frame: UnsafeBufferPointer<Int16>) {
        guard !failed, !finished else { return }
        do {
            try writer.write(frame)
        } catch {
            return fail("\(error)")
        }
        ticksSinceSync += 1
        if ticksSinceSync >= Self.syncInterval {
            ticksSinceSync = 0
            sync()
        }
    }

    /// `fsync` on the pool; a failure, or a file that is no longer in any directory, stops the
    /// recording (back on the room's loop).
    private func sync() {
        let fd = self.fd
        let synced = eventLoop.makePromise(of: Void.self)
        threadPool.submit { state in
            // A pool shut down runs what is left as cancelled: no failure of the recording's.
            guard state == .active else { return synced.succeed() }
            synced.completeWith(Result { try Self.syncAndCheck(fd) })
        }
        synced.futureResult.whenFailure { [weak self] error in self?.fail("\(error)") }
    }

    /// `fsync`, then `fstat`: a deleted file (no links left) would swallow the rest unseen.
    private static func syncAndCheck(_ fd: Int32) throws {
        guard fsync(fd) == 0 else { throw RecorderError("cannot sync the recording: \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw RecorderError("cannot check the recording: \(String(cString: strerror(errno)))") }
        guard status.st_nlink > 0 else { throw RecorderError("the recording's file was deleted") }
    }

    /// The recording cannot go on: logged, nothing more written, ``onFailure`` told (once).
    private func fail(_ reason: String) {
        guard !failed, !finished else { return }
        failed = true
        logger.error("recording \(url.lastPathComponent) failed and stopped: \(reason)")
        onFailure?(reason)
    }

    /// Writes the last page, then syncs and closes the file off the loop.
    public func finish() {
        guard !finished else { return }
        finished = true
        if !failed {
            do { try writer.finish() } catch { logger.error("recording \(url.lastPathComponent): \(error)") }
        }
        let fd = self.fd
        let name = url.lastPathComponent
        let logger = self.logger
        let failed = self.failed
        // The pool has one thread: this runs after every fsync submitted before it.
        threadPool.submit { _ in
            if fsync(fd) != 0, !failed { logger.error("recording \(name): cannot sync: \(String(cString: strerror(errno)))") }
            close(fd)
            logger.info("recording \(name) finished")
        }
    }

    struct RecorderError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
