import XCTest
@testable import ChorusCodecs

#if canImport(Glibc)
import Glibc
#endif

/// The Ogg Opus writer on real files: pages reach the file as they complete, and a write the
/// system refuses (here `/dev/full`, which answers every write with ENOSPC) makes `write` throw
/// with the system's error instead of passing unnoticed.
final class OggOpusWriterTests: XCTestCase {
    private let silence = [Int16](repeating: 0, count: 960)

    private func temporaryFile() throws -> (path: String, fd: Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ogg-\(UUID().uuidString).opus").path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw XCTSkip("cannot create \(path)") }
        return (path, fd)
    }

    func testPagesReachTheFileAsTheyComplete() throws {
        let (path, fd) = try temporaryFile()
        defer { unlink(path) }
        let writer = try OggOpusWriter(fileDescriptor: fd, comments: [("TITLE", "test")], bitrate: 32_000, maximumDelay: 4_800)
        for _ in 0..<50 { try silence.withUnsafeBufferPointer { try writer.write($0) } }
        // 1 s of audio with pages of at most 100 ms: most of it is in the file before finish().
        let written = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        XCTAssertGreaterThan(written, 200)
        try writer.finish()
        close(fd)
        let head = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(4)
        XCTAssertEqual(Array(head), Array("OggS".utf8))
    }

    func testAWriteTheSystemRefusesThrowsWithItsError() throws {
        let (path, fd) = try temporaryFile()
        defer { unlink(path) }
        let writer = try OggOpusWriter(fileDescriptor: fd, comments: [], bitrate: 32_000, maximumDelay: 4_800)
        // The disk fills up under the open file.
        let full = open("/dev/full", O_WRONLY)
        guard full >= 0 else { throw XCTSkip("no /dev/full") }
        XCTAssertEqual(dup2(full, fd), fd)
        close(full)
        var failure: (any Error)?
        for _ in 0..<50 where failure == nil {
            do { try silence.withUnsafeBufferPointer { try writer.write($0) } } catch { failure = error }
        }
        let refused = try XCTUnwrap(failure as? OggOpusWriter.Failure, "a page was due within 1 s of audio")
        XCTAssertEqual(refused.systemError, ENOSPC)
        XCTAssertTrue("\(refused)".contains("No space left on device"), "\(refused)")
        close(fd)
    }

    /// libopusenc 0.2.1 leaves a stream's end position unset until the first write: draining one
    /// that got no audio (a recording stopped before its first tick) read garbage and aborted the
    /// process now and then. Many writers, so that some land on dirty memory.
    func testFinishingWithoutAnyAudioWritesAWholeFile() throws {
        for _ in 0..<200 {
            let (path, fd) = try temporaryFile()
            defer { unlink(path) }
            // Dirty the heap the encoder's stream is allocated from.
            let garbage = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
            garbage.initializeMemory(as: UInt8.self, repeating: 0xA5, count: 4096)
            garbage.deallocate()
            let writer = try OggOpusWriter(fileDescriptor: fd, comments: [("TITLE", "empty")], bitrate: 32_000, maximumDelay: 4_800)
            try writer.finish()
            close(fd)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertEqual(Array(bytes.prefix(4)), Array("OggS".utf8))
            // The last page has the end-of-stream flag (header type 0x04).
            let lastPage = try XCTUnwrap(bytes.lastRange(of: Data("OggS".utf8)))
            XCTAssertEqual(bytes[lastPage.lowerBound + 5] & 0x04, 0x04, "end of stream")
        }
    }
}
