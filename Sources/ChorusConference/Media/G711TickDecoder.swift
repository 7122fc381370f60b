import ChorusCodecs
import ChorusRTP

/// Turns a G.711 participant's jitter buffer into one 20 ms frame of 48 kHz mono PCM per mixer tick.
///
/// The jitter buffer of a G.711 leg runs on a 10 ms tick (see ``MediaLeg``), so packets of 10, 20,
/// 40 and 60 ms all play: this decoder pulls twice per mixer tick. Lost audio is concealed by
/// spandsp's PLC, which repeats the last pitch period and fades it, and joins the next real audio
/// smoothly (no click); a stream that stops after audio is concealed for 20 ms more and faded
/// out instead of cut. The 8 kHz audio is resampled to 48 kHz with speexdsp's filter.
/// One per participant, used on one thread.
public final class G711TickDecoder {
    public static let pullsPerTick = 2
    static let samplesPerPull = 80
    private let codec: G711Codec
    private let concealer: G711Concealer
    private let upsampler: AudioResampler
    /// Decoded 8 kHz audio of the current packet (up to 120 ms), handed out 10 ms per pull.
    private var backlog = DecodedBacklog(capacity: 960)
    private var narrowband = [Int16](repeating: 0, count: 160)
    /// The resampler may ask for one sample of room beyond the exact ratio.
    private var wideband = [Int16](repeating: 0, count: 961)
    public private(set) var concealedFrames = 0
    /// Streams that stopped after audio and were faded out.
    public private(set) var fadedOutStreams = 0
    /// Whether the last pull played audio or concealment (a following `.silence` fades it out).
    private var playing = false
    /// Where the fade-out of a stream that stopped has got to, while it runs (over two pulls).
    private var fadePosition: Int?
    static let fadeSamples = 160
    /// Whether the last tick put sound into the resampler.
    private var upsamplerHoldsSound = false

    public init(law: G711Law) throws {
        codec = G711Codec(law: law)
        concealer = G711Concealer()
        upsampler = try AudioResampler(inputRate: 8_000, outputRate: 48_000)
    }

    /// Pulls one mixer tick (two 10 ms pulls) from `jitterBuffer` and writes 960 samples into `frame`.
    public func nextFrame(
        from jitterBuffer: inout JitterBuffer, nowMilliseconds: Int64, into frame: UnsafeMutableBufferPointer<Int16>
    ) -> TickFrameKind {
        var heardAudio = false
        var allSilent = true
        for pull in 0..<Self.pullsPerTick {
            // The first half is due 10 ms before the tick, the second at it.
            let now = nowMilliseconds - Int64(10 * (Self.pullsPerTick - 1 - pull))
            let output = jitterBuffer.pull(now: now)
            let kind = narrowband.withUnsafeMutableBufferPointer { all in
                play(output, into: UnsafeMutableBufferPointer(rebasing: all[pull * Self.samplesPerPull..<(pull + 1) * Self.samplesPerPull]))
            }
            heardAudio = heardAudio || kind == .audio
            allSilent = allSilent && kind == .silence
        }
        // The resampler's filter still holds the end of the last sound (a few ms): one silent
        // tick runs it out, then the resampler is reset.
        if allSilent && !upsamplerHoldsSound {
            frame.update(repeating: 0)
            upsampler.reset()
            return .silence
        }
        upsamplerHoldsSound = !allSilent
        let written = narrowband.withUnsafeBufferPointer { input in
            wideband.withUnsafeMutableBufferPointer { upsampler.process(input, into: $0) }
        }
        let count = min(written, frame.count)
        wideband.withUnsafeBufferPointer { source in
            for index in 0..<count { frame[index] = source[index] }
        }
        for index in count..<frame.count { frame[index] = 0 }
        return heardAudio ? .audio : .concealed
    }

    private func play(_ output: JitterBufferOutput, into chunk: UnsafeMutableBufferPointer<Int16>) -> TickFrameKind {
        if output != .silence { fadePosition = nil }
        let kind = decode(output, into: chunk)
        // A fade-out ends the stream: what follows it is silence.
        playing = output != .silence && kind != .silence
        return kind
    }

    private func decode(_ output: JitterBufferOutput, into chunk: UnsafeMutableBufferPointer<Int16>) -> TickFrameKind {
        switch output {
        case .frame(let payload, _, _):
            _ = backlog.refill { pcm in
                let count = min(payload.count, pcm.count)
                payload.withUnsafeBufferPointer { bytes in
                    codec.decode(UnsafeBufferPointer(rebasing: bytes[0..<count]), into: UnsafeMutableBufferPointer(rebasing: pcm[0..<count]))
                }
                return count
            }
            return takeBacklog(into: chunk)
        case .covered:
            return takeBacklog(into: chunk)
        case .lost:
            backlog.clear()
            concealedFrames += 1
            concealer.conceal(into: chunk)
            return .concealed
        case .silence where playing || fadePosition != nil:
            backlog.clear()
            if playing {
                fadedOutStreams += 1
                fadePosition = 0
            }
            let position = fadePosition ?? 0
            concealer.conceal(into: chunk)
            fadeOut(chunk, from: position, of: Self.fadeSamples)
            fadePosition = position + chunk.count < Self.fadeSamples ? position + chunk.count : nil
            return .concealed
        case .silence:
            backlog.clear()
            chunk.update(repeating: 0)
            return .silence
        }
    }

    private func takeBacklog(into chunk: UnsafeMutableBufferPointer<Int16>) -> TickFrameKind {
        guard backlog.take(into: chunk) > 0 else { return .silence }
        // Good audio teaches the concealer what to repeat if the next packet is lost.
        concealer.received(chunk)
        return .audio
    }
}
