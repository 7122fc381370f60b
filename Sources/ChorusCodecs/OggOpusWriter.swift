import COpusEnc

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes 48 kHz mono audio to an open file as Ogg Opus (RFC 7845), through libopusenc: it
/// encodes, and writes the OpusHead and OpusTags headers and the Ogg pages, with granule
/// positions, pre-skip and the end-of-stream page.
///
/// Pages go to the file descriptor with `write(2)` as soon as each is complete, and a page is
/// completed after at most `maximumDelay` of audio, so a process that dies leaves a file that
/// plays up to that point (the kernel has the bytes; `fsync` is the caller's business). A page
/// that cannot be written (disk full, I/O error) makes that ``write(_:)`` or ``finish()`` throw,
/// naming the system's error. Not thread-safe: use it from one thread at a time.
public final class OggOpusWriter {
    /// A libopusenc error.
    public struct Failure: Error, CustomStringConvertible {
        /// libopusenc's error code (`OPE_*`, or a libopus one).
        public let code: Int32
        /// What Chorus was doing.
        public let what: String
        /// The `errno` of the `write(2)` that failed, if one did.
        public var systemError: Int32 = 0
        public var description: String {
            "\(what): \(systemError != 0 ? String(cString: strerror(systemError)) : String(cString: ope_strerror(code)))"
        }
    }

    /// Where pages go: the descriptor, and the `errno` of the first write that failed.
    private final class Sink {
        let fd: Int32
        var systemError: Int32 = 0
        init(fd: Int32) { self.fd = fd }
    }

    private let encoder: OpaquePointer
    private let callbacks: UnsafeMutablePointer<OpusEncCallbacks>
    private let sink: Sink
    private var finished = false
    /// Whether any audio went in: libopusenc 0.2.1 sets the stream's end position only in
    /// `ope_encoder_write`, so draining a stream that never had any reads an uninitialised value
    /// and can abort the process (`assert(enc->streams == NULL)` in `ope_encoder_drain`).
    private var wroteAudio = false

    /// - Parameters:
    ///   - fileDescriptor: open for writing; it stays open (close it after ``finish()``).
    ///   - comments: Vorbis comments for OpusTags (`TITLE`, `DATE`, ...).
    ///   - maximumDelay: the most audio, in 48 kHz samples, held before its page is written.
    public init(fileDescriptor: Int32, comments: [(String, String)], bitrate: Int32, complexity: Int32 = 5, maximumDelay: Int32 = 48_000) throws {
        let sink = Sink(fd: fileDescriptor)
        self.sink = sink
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: OpusEncCallbacks(
            write: { userData, bytes, count in
                // The sink travels in the user-data pointer; the writer keeps it alive.
                guard let userData else { return 1 }
                let sink = Unmanaged<Sink>.fromOpaque(userData).takeUnretainedValue()
                let error = writeAll(sink.fd, bytes, Int(count))
                if error != 0, sink.systemError == 0 { sink.systemError = error }
                return error == 0 ? 0 : 1
            },
            close: { _ in 0 }))
        let tags = ope_comments_create()
        defer { ope_comments_destroy(tags) }
        for (tag, value) in comments { ope_comments_add(tags, tag, value) }
        var error: Int32 = 0
        guard let encoder = ope_encoder_create_callbacks(
            callbacks, Unmanaged.passUnretained(sink).toOpaque(), tags, 48_000, 1, 0, &error)
        else {
            callbacks.deallocate()
            throw Failure(code: error, what: "cannot create the Ogg Opus encoder")
        }
        self.encoder = encoder
        for (result, what) in [
            (chorus_ope_set_bitrate(encoder, bitrate), "bitrate"),
            (chorus_ope_set_complexity(encoder, complexity), "complexity"),
            (chorus_ope_set_signal_voice(encoder), "signal"),
            (chorus_ope_set_decision_delay(encoder, min(maximumDelay, 4_800)), "decision delay"),
            (chorus_ope_set_muxing_delay(encoder, maximumDelay), "muxing delay"),
            (ope_encoder_flush_header(encoder), "headers"),
        ] where result != 0 {
            ope_encoder_destroy(encoder)
            callbacks.deallocate()
            throw Failure(code: result, what: "cannot set the \(what)")
        }
    }

    deinit {
        ope_encoder_destroy(encoder)
        callbacks.deallocate()
    }

    /// Encodes `samples` (48 kHz mono); whole pages are written out on the way.
    public func write(_ samples: UnsafeBufferPointer<Int16>) throws {
        precondition(!finished, "write after finish")
        let result = ope_encoder_write(encoder, samples.baseAddress, Int32(samples.count))
        wroteAudio = true
        guard result == 0 else { throw Failure(code: result, what: "cannot write the recording", systemError: sink.systemError) }
    }

    /// Encodes what is buffered and writes the last page (end of stream). A stream that never
    /// got any audio gets 20 ms of silence first (see ``wroteAudio``).
    public func finish() throws {
        guard !finished else { return }
        if !wroteAudio {
            let silence = [Int16](repeating: 0, count: 960)
            try silence.withUnsafeBufferPointer { try write($0) }
        }
        finished = true
        let result = ope_encoder_drain(encoder)
        guard result == 0 else { throw Failure(code: result, what: "cannot finish the recording", systemError: sink.systemError) }
    }
}

/// `write(2)` until all of `count` bytes are out; 0 on success, else the `errno` of the failure.
private func writeAll(_ fd: Int32, _ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let bytes else { return count == 0 ? 0 : EINVAL }
    var offset = 0
    while offset < count {
        let written = write(fd, bytes + offset, count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        if written == 0 { return EIO }
        offset += written
    }
    return 0
}
