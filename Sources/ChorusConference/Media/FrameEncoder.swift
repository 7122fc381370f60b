import ChorusCodecs

/// Turns the mixer's 20 ms frames (48 kHz mono) into RTP payloads of one ``ParticipantAudioFormat``.
///
/// One encoder serves either one listener (their own N-1 mix) or every listener of a format who
/// hears the common mix: ``encode(_:)`` runs once per tick and each leg then sends the same
/// payloads with ``forEachPacket(_:)``. G.711 is resampled to 8 kHz first and packed into packets
/// of the format's packet time (10 ms gives two packets per tick, 40 and 60 ms one every two or
/// three ticks). Owns codec state: one thread (the room's loop).
final class FrameEncoder {
    let format: ParticipantAudioFormat
    private let opus: OpusEncoder?
    private let g711: G711Codec?
    private let downsampler: AudioResampler?
    /// Encoded bytes of this tick's packets, back to back, and where each packet lies.
    private var payloads: [UInt8]
    private var packets: [(range: Range<Int>, samples: Int)] = []
    /// G.711 audio waiting to fill a packet (packet times of 40 and 60 ms).
    private var pendingG711: [UInt8] = []
    /// One sample of room beyond the exact ratio, as the resampler asks.
    private var narrowband = [Int16](repeating: 0, count: 161)
    private var narrowbandEncoded = [UInt8](repeating: 0, count: 161)
    /// The tick whose frame was encoded last: shared encoders encode once per tick.
    var encodedTick = -1

    init(format: ParticipantAudioFormat) throws {
        self.format = format
        switch format.codec {
        case .opus:
            opus = try OpusEncoder(sampleRate: 48_000, channels: 1, application: .voip, configuration: format.opus)
            g711 = nil
            downsampler = nil
            payloads = [UInt8](repeating: 0, count: Opus.maxPacketSize)
        case .pcmu, .pcma:
            opus = nil
            g711 = G711Codec(law: format.codec == .pcmu ? .muLaw : .aLaw)
            downsampler = try AudioResampler(inputRate: 48_000, outputRate: 8_000)
            payloads = [UInt8](repeating: 0, count: 480)
        }
        pendingG711.reserveCapacity(480)
    }

    /// Encodes one 20 ms frame; the packets it completes are then available from ``forEachPacket(_:)``.
    func encode(_ frame: UnsafeBufferPointer<Int16>) {
        packets.removeAll(keepingCapacity: true)
        if let opus {
            let length: Int? = payloads.withUnsafeMutableBytes { try? opus.encode(pcm: frame, into: $0) }
            if let length { packets.append((0..<length, 960)) }
            return
        }
        guard let g711, let downsampler else { return }
        let produced = narrowband.withUnsafeMutableBufferPointer { downsampler.process(frame, into: $0) }
        let packetSamples = format.packetMilliseconds * 8
        narrowbandEncoded.withUnsafeMutableBufferPointer { out in
            narrowband.withUnsafeBufferPointer { g711.encode(UnsafeBufferPointer(rebasing: $0[0..<produced]), into: out) }
        }
        pendingG711.append(contentsOf: narrowbandEncoded[0..<produced])
        var used = 0
        while pendingG711.count - used >= packetSamples {
            let start = packets.last?.range.upperBound ?? 0
            for index in 0..<packetSamples { payloads[start + index] = pendingG711[used + index] }
            packets.append((start..<start + packetSamples, packetSamples))
            used += packetSamples
        }
        pendingG711.removeFirst(used)
    }

    /// Calls `body` with each packet of the last ``encode(_:)``: payload and its duration in
    /// samples at the codec's clock rate.
    func forEachPacket(_ body: (UnsafeRawBufferPointer, Int) -> Void) {
        payloads.withUnsafeBytes { raw in
            for packet in packets {
                body(UnsafeRawBufferPointer(rebasing: raw[packet.range]), packet.samples)
            }
        }
    }
}
