/// The inner loops of the mixer, written as plain loops over unsafe buffers so that the
/// optimiser can vectorise them. Wrapping arithmetic is used only where the ranges are
/// known not to overflow (documented per function).
enum SampleKernels {
    /// Sum of squared samples. Each square is at most 2^30, and 2^33 frames of them fit in Int64.
    static func sumOfSquares(_ samples: UnsafeBufferPointer<Int16>) -> Int64 {
        var total: Int64 = 0
        for sample in samples {
            let value = Int32(sample)
            total &+= Int64(value &* value)
        }
        return total
    }

    /// `accumulator += samples`. Wrapping adds are safe: even 4096 full-scale streams at the
    /// maximum gain of 16 stay below 2^31, and rooms mix a handful.
    static func add(_ samples: UnsafeBufferPointer<Int16>, into accumulator: UnsafeMutableBufferPointer<Int32>) {
        precondition(samples.count == accumulator.count)
        for index in 0..<accumulator.count {
            accumulator[index] &+= Int32(samples[index])
        }
    }

    /// `accumulator += round(samples × gain)`, for participants with an input gain.
    /// The same rounding as ``scaledSample(_:gain:)``, so N-1 can subtract exactly what was added.
    static func add(
        _ samples: UnsafeBufferPointer<Int16>,
        scaledBy gain: Float,
        into accumulator: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(samples.count == accumulator.count)
        for index in 0..<accumulator.count {
            accumulator[index] &+= Self.scaledSample(samples[index], gain: gain)
        }
    }

    /// `destination = mix − own`: what a contributor hears (N-1).
    static func subtract(
        _ own: UnsafeBufferPointer<Int16>,
        from mix: UnsafeBufferPointer<Int32>,
        into destination: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(own.count == mix.count && mix.count == destination.count)
        for index in 0..<destination.count {
            destination[index] = mix[index] &- Int32(own[index])
        }
    }

    /// `destination = mix − round(own × gain)`: N-1 for a contributor with an input gain.
    static func subtract(
        _ own: UnsafeBufferPointer<Int16>,
        scaledBy gain: Float,
        from mix: UnsafeBufferPointer<Int32>,
        into destination: UnsafeMutableBufferPointer<Int32>
    ) {
        precondition(own.count == mix.count && mix.count == destination.count)
        for index in 0..<destination.count {
            destination[index] = mix[index] &- Self.scaledSample(own[index], gain: gain)
        }
    }

    /// A sample times a gain of at most ``ParticipantControls/maximumGain``, rounded.
    @inline(__always)
    static func scaledSample(_ sample: Int16, gain: Float) -> Int32 {
        Int32((Float(sample) * gain).rounded(.toNearestOrEven))
    }

    /// The largest magnitude in `samples`. Tracks maximum and minimum separately
    /// because that vectorises better than `abs` (and has no Int32.min trap).
    static func peakMagnitude(_ samples: UnsafeBufferPointer<Int32>) -> Int32 {
        var highest: Int32 = 0
        var lowest: Int32 = 0
        for sample in samples {
            highest = max(highest, sample)
            lowest = min(lowest, sample)
        }
        // The mixer's sums are far from Int32.min, so the negation cannot wrap.
        return max(highest, 0 &- lowest)
    }

    /// `output = clamp(input)`: the limiter's path when no gain is needed.
    static func convert(_ input: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(input.count == output.count)
        for index in 0..<output.count {
            output[index] = Int16(clamping: input[index])
        }
    }

    /// `output = clamp(round(input × gain))` with one gain for the whole range.
    static func convert(
        _ input: UnsafeBufferPointer<Int32>,
        scaledBy gain: Float,
        into output: UnsafeMutableBufferPointer<Int16>
    ) {
        precondition(input.count == output.count)
        for index in 0..<output.count {
            output[index] = Self.clampedSample(Float(input[index]) * gain)
        }
    }

    /// `output = clamp(round(input × gain))` with the gain moving linearly from `startGain`
    /// (the gain just before the first sample) to `endGain` (reached at the last sample).
    static func convert(
        _ input: UnsafeBufferPointer<Int32>,
        rampingFrom startGain: Float,
        to endGain: Float,
        into output: UnsafeMutableBufferPointer<Int16>
    ) {
        precondition(input.count == output.count)
        let step = (endGain - startGain) / Float(output.count)
        for index in 0..<output.count {
            let gain = startGain + step * Float(index + 1)
            output[index] = Self.clampedSample(Float(input[index]) * gain)
        }
    }

    /// A scaled sample rounded and clamped to Int16; the clamp is only a safety net,
    /// the limiter keeps values below its threshold.
    @inline(__always)
    static func clampedSample(_ value: Float) -> Int16 {
        let bounded = min(max(value, -32768), 32767)
        return Int16(bounded.rounded(.toNearestOrEven))
    }
}
