internal import CSpeexDSP

/// Mono sample-rate conversion (speexdsp's `SpeexResamplerState`), destroyed with the object.
///
/// Chorus uses it between G.711's 8 kHz and the mixer's 48 kHz. It filters properly: no images
/// when going up, no aliasing when going down.
///
/// ## Delay
/// The filter delays the signal by ``latencySamples`` output samples: at quality 5 that is
/// 5 ms either way (240 samples at 8 → 48 kHz, 40 at 48 → 8 kHz). The wrapper does *not* call
/// `speex_resampler_skip_zeros`: skipping the leading zeros would make the first frames
/// shorter, while the mixer needs exactly one 20 ms frame out per 20 ms frame in from the
/// start (160 in → 960 out, 960 in → 160 out). A few milliseconds of constant delay cost less.
///
/// Not thread-safe: it holds filter history across calls, so one resampler belongs to one
/// stream and one thread.
public final class AudioResampler {
    private let state: OpaquePointer
    public let inputRate: Int
    public let outputRate: Int
    /// 0 (cheapest) ... 10 (best); 5 is speexdsp's "desktop" quality.
    public let quality: Int

    /// - Throws: ``AudioResamplerError`` for a rate outside 1 Hz ... 1 MHz, a quality outside
    ///   0 ... 10, or a failure inside speexdsp.
    public init(inputRate: Int, outputRate: Int, quality: Int = 5) throws(AudioResamplerError) {
        let rates = 1...1_000_000
        guard rates.contains(inputRate) else { throw .invalidArgument("input rate \(inputRate)") }
        guard rates.contains(outputRate) else { throw .invalidArgument("output rate \(outputRate)") }
        guard (0...10).contains(quality) else { throw .invalidArgument("quality \(quality)") }
        var error: Int32 = 0
        guard
            let state = speex_resampler_init(
                1, UInt32(inputRate), UInt32(outputRate), Int32(quality), &error)
        else { throw .library(error == 0 ? Int32(RESAMPLER_ERR_ALLOC_FAILED) : error) }
        self.state = state
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.quality = quality
    }

    deinit { speex_resampler_destroy(state) }

    // MARK: Processing

    /// The output room ``process(_:into:)`` needs for `inputCount` samples.
    public func maximumOutputCount(forInputCount inputCount: Int) -> Int {
        // The filter's fractional phase can add one sample to the exact ratio.
        (inputCount * outputRate + inputRate - 1) / inputRate + 1
    }

    /// Converts all of `input`, continuing the signal from the previous call.
    ///
    /// - Precondition: `output` holds ``maximumOutputCount(forInputCount:)`` samples, so that
    ///   the whole input is consumed.
    /// - Returns: samples written to `output`.
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        precondition(
            output.count >= maximumOutputCount(forInputCount: input.count), "resampler output buffer too small")
        guard let inputPointer = input.baseAddress, let outputPointer = output.baseAddress, !input.isEmpty else {
            return 0
        }
        var consumed = UInt32(clamping: input.count)
        var written = UInt32(clamping: output.count)
        let result = speex_resampler_process_int(state, 0, inputPointer, &consumed, outputPointer, &written)
        // Only bad arguments make it fail, and the checks above rule those out.
        precondition(result == 0, "speex_resampler_process_int failed: \(result)")
        precondition(Int(consumed) == input.count, "resampler left input unconsumed")
        return Int(written)
    }

    /// Converts `input` into a new array, continuing the signal from the previous call.
    public func process(_ input: [Int16]) -> [Int16] {
        let capacity = maximumOutputCount(forInputCount: input.count)
        return input.withUnsafeBufferPointer { samples in
            [Int16](unsafeUninitializedCapacity: capacity) { output, initialized in
                initialized = process(samples, into: output)
            }
        }
    }

    /// Clears the filter history, as for a new stream (the initial delay comes back).
    public func reset() {
        speex_resampler_reset_mem(state)
    }

    // MARK: Delay

    /// The filter's delay in output samples: input sample `n` appears around output sample
    /// `n × outputRate / inputRate + latencySamples`.
    public var latencySamples: Int {
        Int(speex_resampler_get_output_latency(state))
    }

    /// The same delay in input samples.
    public var inputLatencySamples: Int {
        Int(speex_resampler_get_input_latency(state))
    }
}
