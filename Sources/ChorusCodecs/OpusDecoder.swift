internal import COpus

/// An Opus decoder (libopus `OpusDecoder`), destroyed with the object.
///
/// Not thread-safe: use each decoder from one thread at a time. It holds state across packets
/// (and PLC extrapolates from it), so one decoder belongs to one incoming stream.
public final class OpusDecoder {
    private let state: OpaquePointer
    public let sampleRate: Int32
    public let channels: Int

    /// - Throws: ``OpusError`` for an unsupported rate or channel count.
    public init(sampleRate: Int32 = 48_000, channels: Int = 1) throws(OpusError) {
        guard Opus.supportedSampleRates.contains(sampleRate) else {
            throw .invalidArgument("sample rate \(sampleRate)")
        }
        guard channels == 1 || channels == 2 else { throw .invalidArgument("\(channels) channels") }
        var error: Int32 = OPUS_OK
        guard let state = opus_decoder_create(sampleRate, Int32(channels), &error), error == OPUS_OK else {
            throw OpusError.library(error == OPUS_OK ? OPUS_ALLOC_FAIL : error)
        }
        self.state = state
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit { opus_decoder_destroy(state) }

    // MARK: Decoding

    /// Decodes one packet into interleaved PCM.
    ///
    /// - Parameters:
    ///   - packet: one Opus packet (the RTP payload).
    ///   - pcm: room for the decoded frame; `channels ×` ``Opus/maxFrameSamplesPerChannel`` always suffices.
    /// - Returns: samples per channel written.
    /// - Throws: ``OpusError/library(code:message:)`` for a corrupt packet or too small a buffer.
    public func decode(packet: UnsafeRawBufferPointer, into pcm: UnsafeMutableBufferPointer<Int16>) throws(OpusError)
        -> Int
    {
        guard !packet.isEmpty, let data = packet.baseAddress else {
            throw .invalidArgument("empty packet (use concealLoss for a lost one)")
        }
        return try run(data: data, length: packet.count, pcm: pcm, frameSize: pcm.count / channels, fec: false)
    }

    /// Rebuilds a lost frame from the in-band FEC data in the packet that followed it.
    ///
    /// Call it for the missing frame, then decode `nextPacket` itself normally. When `nextPacket`
    /// carries no FEC, libopus falls back to concealment.
    /// - Parameters:
    ///   - frameSize: samples per channel of the lost frame (e.g. 960 for 20 ms at 48 kHz).
    /// - Returns: samples per channel written (equal to `frameSize`).
    public func decodeFEC(
        nextPacket: UnsafeRawBufferPointer, frameSize: Int, into pcm: UnsafeMutableBufferPointer<Int16>
    ) throws(OpusError) -> Int {
        guard !nextPacket.isEmpty, let data = nextPacket.baseAddress else { throw .invalidArgument("empty packet") }
        try checkConcealmentSize(frameSize, pcm: pcm)
        return try run(data: data, length: nextPacket.count, pcm: pcm, frameSize: frameSize, fec: true)
    }

    /// Packet loss concealment: synthesises `frameSize` samples per channel for a lost packet.
    public func concealLoss(frameSize: Int, into pcm: UnsafeMutableBufferPointer<Int16>) throws(OpusError) -> Int {
        try checkConcealmentSize(frameSize, pcm: pcm)
        return try run(data: nil, length: 0, pcm: pcm, frameSize: frameSize, fec: false)
    }

    // MARK: Array conveniences

    /// Decodes one packet into a new array of interleaved samples.
    public func decode(_ packet: [UInt8]) throws(OpusError) -> [Int16] {
        try withOutput(samplesPerChannel: Opus.maxFrameSamplesPerChannel) { pcm throws(OpusError) in
            try packet.withUnsafeBufferPointer { bytes throws(OpusError) in
                try decode(packet: UnsafeRawBufferPointer(bytes), into: pcm)
            }
        }
    }

    /// ``decodeFEC(nextPacket:frameSize:into:)`` into a new array.
    public func decodeFEC(nextPacket: [UInt8], frameSize: Int) throws(OpusError) -> [Int16] {
        try withOutput(samplesPerChannel: frameSize) { pcm throws(OpusError) in
            try nextPacket.withUnsafeBufferPointer { bytes throws(OpusError) in
                try decodeFEC(nextPacket: UnsafeRawBufferPointer(bytes), frameSize: frameSize, into: pcm)
            }
        }
    }

    /// ``concealLoss(frameSize:into:)`` into a new array.
    public func concealLoss(frameSize: Int) throws(OpusError) -> [Int16] {
        try withOutput(samplesPerChannel: frameSize) { pcm throws(OpusError) in
            try concealLoss(frameSize: frameSize, into: pcm)
        }
    }

    // MARK: Control

    /// Samples per channel of the last packet decoded (or concealed).
    public func lastPacketDuration() throws(OpusError) -> Int {
        var value: Int32 = 0
        try OpusError.check(chorus_opus_decoder_get_last_packet_duration(state, &value))
        return Int(value)
    }

    /// Forgets all history, as for a new stream (OPUS_RESET_STATE).
    public func reset() throws(OpusError) {
        try OpusError.check(chorus_opus_decoder_reset_state(state))
    }

    // MARK: Internals

    private func checkConcealmentSize(_ frameSize: Int, pcm: UnsafeMutableBufferPointer<Int16>) throws(OpusError) {
        // libopus wants a multiple of 2.5 ms for PLC/FEC.
        guard frameSize > 0, frameSize % (Int(sampleRate) / 400) == 0,
            frameSize <= Opus.maxFrameSamplesPerChannel * Int(sampleRate) / 48_000
        else { throw .invalidFrameSize(samplesPerChannel: frameSize) }
        guard pcm.count >= frameSize * channels else { throw .invalidArgument("PCM buffer smaller than the frame") }
    }

    private func run(
        data: UnsafeRawPointer?, length: Int, pcm: UnsafeMutableBufferPointer<Int16>, frameSize: Int, fec: Bool
    ) throws(OpusError) -> Int {
        guard let out = pcm.baseAddress, frameSize > 0 else { throw .invalidArgument("empty PCM buffer") }
        guard length <= Int(Int32.max) else { throw .invalidArgument("packet too large") }
        let samples = try OpusError.check(
            opus_decode(
                state, data?.assumingMemoryBound(to: UInt8.self), Int32(length), out,
                Int32(clamping: frameSize), fec ? 1 : 0))
        return Int(samples)
    }

    private func withOutput(
        samplesPerChannel: Int, _ body: (UnsafeMutableBufferPointer<Int16>) throws(OpusError) -> Int
    ) throws(OpusError) -> [Int16] {
        guard samplesPerChannel > 0, samplesPerChannel <= Opus.maxFrameSamplesPerChannel else {
            throw .invalidFrameSize(samplesPerChannel: samplesPerChannel)
        }
        var pcm = [Int16](repeating: 0, count: samplesPerChannel * channels)
        let written = try pcm.withUnsafeMutableBufferPointer { buffer throws(OpusError) in try body(buffer) }
        pcm.removeSubrange((written * channels)...)
        return pcm
    }
}
