import ChorusCodecs
import ChorusRTP

/// What a tick decoder produced for one mixer tick.
public enum TickFrameKind: Sendable, Equatable {
    /// Received audio.
    case audio
    /// Rebuilt audio: FEC or packet-loss concealment.
    case concealed
    /// Nothing to play: no stream yet, DTX or a gap between talkspurts.
    case silence
}

/// Turns what the jitter buffer hands out each 20 ms tick into exactly one 20 ms frame of
/// 48 kHz mono PCM for the mixer.
///
/// - A packet longer than a tick (40 or 60 ms) is decoded once; the rest of its audio is kept and
///   handed out on the ticks the jitter buffer reports as `.covered`.
/// - A lost packet is rebuilt from the in-band FEC of the next packet when the jitter buffer has
///   one (RFC 7587 §4.2), otherwise by libopus's concealment (PLC); a corrupt packet is concealed too.
/// - `.silence` (DTX or no stream) yields zeros and is reported as such, so the mixer can skip it.
///
/// Stereo streams are decoded to mono: the mixer works in mono. One instance per participant,
/// used on one thread (it owns an Opus decoder).
public final class OpusTickDecoder {
    public typealias FrameKind = TickFrameKind

    public static let samplesPerTick = 960
    private let decoder: OpusDecoder
    /// Room for the longest Opus packet (120 ms).
    private var backlog = DecodedBacklog(capacity: 5760)
    /// Frames concealed (PLC or FEC) and packets that failed to decode.
    public private(set) var concealedFrames = 0
    public private(set) var corruptPackets = 0

    public init() throws(OpusError) {
        decoder = try OpusDecoder(sampleRate: 48_000, channels: 1)
    }

    /// Writes one tick (960 samples) into `frame`.
    public func nextFrame(_ output: JitterBufferOutput, into frame: UnsafeMutableBufferPointer<Int16>) -> FrameKind {
        precondition(frame.count >= Self.samplesPerTick)
        switch output {
        case .frame(let payload, _, _):
            let decoded = backlog.refill { pcm in
                payload.withUnsafeBytes { packet in try? decoder.decode(packet: packet, into: pcm) }
            }
            guard decoded else {
                corruptPackets += 1
                return conceal(next: nil, into: frame)
            }
            return takeBacklog(into: frame)
        case .covered:
            return takeBacklog(into: frame)
        case .lost(let next):
            backlog.clear()
            return conceal(next: next, into: frame)
        case .silence:
            backlog.clear()
            frame.update(repeating: 0)
            return .silence
        }
    }

    private func takeBacklog(into frame: UnsafeMutableBufferPointer<Int16>) -> FrameKind {
        backlog.take(into: UnsafeMutableBufferPointer(rebasing: frame[0..<Self.samplesPerTick])) > 0 ? .audio : .silence
    }

    private func conceal(next: [UInt8]?, into frame: UnsafeMutableBufferPointer<Int16>) -> FrameKind {
        concealedFrames += 1
        let target = UnsafeMutableBufferPointer(rebasing: frame[0..<Self.samplesPerTick])
        let written: Int?
        if let next, !next.isEmpty {
            written = next.withUnsafeBytes { try? decoder.decodeFEC(nextPacket: $0, frameSize: Self.samplesPerTick, into: target) }
        } else {
            written = try? decoder.concealLoss(frameSize: Self.samplesPerTick, into: target)
        }
        if written == nil { target.update(repeating: 0) }
        return .concealed
    }
}
