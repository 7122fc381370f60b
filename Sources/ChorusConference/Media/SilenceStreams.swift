import NIOCore
import NIOPosix

/// Encoded silence for every room on one media loop (thread), per Opus format.
///
/// Everyone with nothing to hear (deaf, or the only talker) still gets a steady stream of packets,
/// so that phones that watch for RTP do not hang up. libopus spends as long on a frame of digital
/// silence as on speech (about 110 µs at complexity 5), so a loop with many rooms encodes silence
/// once per 20 ms for all of them rather than once per room: each room takes the latest packets.
/// Two rooms ticking at different moments may share a packet or one may skip one; for silence
/// that cannot be heard. G.711 is not shared: it costs next to nothing, and its packets of 40 or
/// 60 ms would come irregularly.
final class SilenceStreams {
    /// The streams of the calling thread (a loop runs on one thread).
    static var current: SilenceStreams {
        if let streams = perThread.currentValue { return streams }
        let streams = SilenceStreams()
        perThread.currentValue = streams
        return streams
    }

    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<SilenceStreams>()

    private struct Stream {
        var encoder: FrameEncoder
        var encodedAt: NIODeadline
        var packets: [OutgoingPacket]
    }

    private var streams: [ParticipantAudioFormat: Stream] = [:]
    private var encodes = 0
    /// A room ticking less than this after the last encode reuses it.
    static let reuseWithin: TimeAmount = .milliseconds(15)

    private static let silentFrame = [Int16](repeating: 0, count: 960)

    /// This moment's silence packets for `format` (Opus only), and whether this call encoded them.
    func packets(for format: ParticipantAudioFormat, now: NIODeadline) -> (packets: [OutgoingPacket], encoded: Bool) {
        precondition(format.codec == .opus, "shared silence is for Opus")
        if let stream = streams[format], now - stream.encodedAt < Self.reuseWithin { return (stream.packets, false) }
        guard let encoder = streams[format]?.encoder ?? (try? FrameEncoder(format: format, isShared: true)) else { return ([], false) }
        Self.silentFrame.withUnsafeBufferPointer { encoder.encode($0) }
        encodes += 1
        let packets = encoder.outgoingPackets(tick: encodes)
        streams[format] = Stream(encoder: encoder, encodedAt: now, packets: packets)
        return (packets, true)
    }
}
