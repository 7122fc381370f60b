internal import COpus

/// An Opus encoder (libopus `OpusEncoder`), destroyed with the object.
///
/// Not thread-safe: use each encoder from one thread (one event loop or mixer tick) at a time.
/// It holds codec state across frames, so one encoder belongs to one outgoing stream.
public final class OpusEncoder {
    private let state: OpaquePointer
    /// Samples per second: 8, 12, 16, 24 or 48 kHz.
    public let sampleRate: Int32
    /// 1 (mono) or 2 (interleaved stereo).
    public let channels: Int

    /// Creates an encoder and applies `configuration`.
    ///
    /// - Throws: ``OpusError`` for an unsupported rate or channel count, or a rejected setting.
    public init(
        sampleRate: Int32 = 48_000, channels: Int = 1, application: OpusApplication = .voip,
        configuration: OpusEncoderConfiguration = OpusEncoderConfiguration()
    ) throws(OpusError) {
        guard Opus.supportedSampleRates.contains(sampleRate) else {
            throw .invalidArgument("sample rate \(sampleRate)")
        }
        guard channels == 1 || channels == 2 else { throw .invalidArgument("\(channels) channels") }
        var error: Int32 = OPUS_OK
        guard let state = opus_encoder_create(sampleRate, Int32(channels), application.rawValue, &error),
            error == OPUS_OK
        else { throw OpusError.library(error == OPUS_OK ? OPUS_ALLOC_FAIL : error) }
        self.state = state
        self.sampleRate = sampleRate
        self.channels = channels
        try apply(configuration)
    }

    deinit { opus_encoder_destroy(state) }

    /// Takes over `other`'s whole state, settings included, so that this encoder's next packet
    /// continues `other`'s stream: a decoder that followed `other` decodes it as if nothing had
    /// changed. The mixer uses this when a listener of a shared stream gets a stream of their own.
    ///
    /// libopus keeps an encoder in one flat block (its sub-encoders at offsets, its only pointers
    /// to static tables), so a byte copy is a faithful clone; a test checks that both then encode
    /// the same bytes. Both must have the same sample rate and channel count.
    public func continueStream(of other: OpusEncoder) {
        precondition(other.sampleRate == sampleRate && other.channels == channels, "encoders of different shapes")
        guard other !== self else { return }
        UnsafeMutableRawPointer(state).copyMemory(from: UnsafeRawPointer(other.state), byteCount: Int(opus_encoder_get_size(Int32(channels))))
    }

    /// Applies every setting of `configuration`.
    public func apply(_ configuration: OpusEncoderConfiguration) throws(OpusError) {
        try setBitrate(configuration.bitrate)
        try setComplexity(configuration.complexity)
        try setInbandFEC(configuration.inbandFEC)
        try setExpectedPacketLoss(configuration.expectedPacketLoss)
        try setDTX(configuration.dtx)
        try setSignal(configuration.signal)
        try setMaxBandwidth(configuration.maxBandwidth)
    }

    // MARK: Encoding

    /// Encodes one frame of interleaved PCM.
    ///
    /// - Parameters:
    ///   - pcm: `channels × frameSize` samples, frameSize one of 2.5/5/10/20/40/60 ms.
    ///   - packet: where the packet is written; ``Opus/maxPacketSize`` bytes always suffice.
    /// - Returns: the packet length in bytes (1 or 2 bytes mean a DTX frame: need not be sent).
    public func encode(pcm: UnsafeBufferPointer<Int16>, into packet: UnsafeMutableRawBufferPointer) throws(OpusError)
        -> Int
    {
        guard pcm.count % channels == 0, Opus.isValidFrameSize(pcm.count / channels, sampleRate: sampleRate),
            let samples = pcm.baseAddress
        else { throw .invalidFrameSize(samplesPerChannel: pcm.count / channels) }
        guard let out = packet.baseAddress, packet.count > 0 else { throw .invalidArgument("empty packet buffer") }
        let length = try OpusError.check(
            opus_encode(
                state, samples, Int32(pcm.count / channels), out.assumingMemoryBound(to: UInt8.self),
                Int32(clamping: packet.count)))
        return Int(length)
    }

    /// Encodes one frame of interleaved PCM into a new array.
    public func encode(_ pcm: [Int16]) throws(OpusError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: Opus.maxPacketSize)
        let length = try pcm.withUnsafeBufferPointer { samples throws(OpusError) in
            try packet.withUnsafeMutableBufferPointer { out throws(OpusError) in
                try encode(pcm: samples, into: UnsafeMutableRawBufferPointer(out))
            }
        }
        packet.removeSubrange(length...)
        return packet
    }

    // MARK: Settings (each a libopus ctl)

    public func setBitrate(_ bitsPerSecond: Int32) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_bitrate(state, bitsPerSecond))
    }
    public func bitrate() throws(OpusError) -> Int32 { try get(chorus_opus_encoder_get_bitrate) }

    public func setComplexity(_ complexity: Int32) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_complexity(state, complexity))
    }
    public func complexity() throws(OpusError) -> Int32 { try get(chorus_opus_encoder_get_complexity) }

    public func setInbandFEC(_ enabled: Bool) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_inband_fec(state, enabled ? 1 : 0))
    }
    public func inbandFEC() throws(OpusError) -> Bool { try get(chorus_opus_encoder_get_inband_fec) != 0 }

    /// Expected packet loss in percent, 0...100.
    public func setExpectedPacketLoss(_ percent: Int32) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_packet_loss_perc(state, percent))
    }
    public func expectedPacketLoss() throws(OpusError) -> Int32 { try get(chorus_opus_encoder_get_packet_loss_perc) }

    public func setDTX(_ enabled: Bool) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_dtx(state, enabled ? 1 : 0))
    }
    public func dtx() throws(OpusError) -> Bool { try get(chorus_opus_encoder_get_dtx) != 0 }

    public func setSignal(_ signal: OpusSignal) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_signal(state, signal.rawValue))
    }
    public func signal() throws(OpusError) -> OpusSignal {
        let raw = try get(chorus_opus_encoder_get_signal)
        guard let signal = OpusSignal(rawValue: raw) else { throw .invalidArgument("unknown signal \(raw)") }
        return signal
    }

    public func setMaxBandwidth(_ bandwidth: OpusBandwidth) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_max_bandwidth(state, bandwidth.rawValue))
    }
    public func maxBandwidth() throws(OpusError) -> OpusBandwidth {
        let raw = try get(chorus_opus_encoder_get_max_bandwidth)
        guard let bandwidth = OpusBandwidth(rawValue: raw) else { throw .invalidArgument("unknown bandwidth \(raw)") }
        return bandwidth
    }

    public func setApplication(_ application: OpusApplication) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_application(state, application.rawValue))
    }
    public func application() throws(OpusError) -> OpusApplication {
        let raw = try get(chorus_opus_encoder_get_application)
        guard let application = OpusApplication(rawValue: raw) else {
            throw .invalidArgument("unknown application \(raw)")
        }
        return application
    }

    /// Whether frames are coded without reference to earlier ones (OPUS_SET_PREDICTION_DISABLED):
    /// a decoder that followed another encoder then decodes them as well as its own.
    public func setPredictionDisabled(_ disabled: Bool) throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_set_prediction_disabled(state, disabled ? 1 : 0))
    }

    /// Forgets all history, as for a new stream (OPUS_RESET_STATE); the settings stay.
    public func reset() throws(OpusError) {
        try OpusError.check(chorus_opus_encoder_reset_state(state))
    }

    /// Samples per channel the encoder delays its output by (the decoder's output lags the input
    /// by this much).
    public func lookahead() throws(OpusError) -> Int32 { try get(chorus_opus_encoder_get_lookahead) }

    private func get(_ ctl: (OpaquePointer, UnsafeMutablePointer<Int32>) -> Int32) throws(OpusError) -> Int32 {
        var value: Int32 = 0
        try OpusError.check(ctl(state, &value))
        return value
    }
}
