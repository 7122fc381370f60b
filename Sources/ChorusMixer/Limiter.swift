/// ``LimiterSettings`` turned into the numbers the per-frame work uses.
struct LimiterParameters: Sendable {
    /// Largest magnitude written, as a sample value.
    let threshold: Float

    /// Samples over which the gain falls to a lower target.
    let attackSamples: Int

    /// Share of the distance to unity gain that is still left after one frame of release.
    let releaseFactorPerFrame: Float

    /// Below this distance from 1 the gain snaps to exactly 1, so the cheap path returns.
    static let unityTolerance: Float = 1e-4

    init(settings: LimiterSettings, sampleRate: Int, samplesPerFrame: Int) {
        let amplitude = Decibels.amplitude(fromDBFS: settings.threshold)
        self.threshold = min(max(amplitude.rounded(.down), 1), 32767)
        let attack = Int((settings.attackTime * Float(sampleRate) / 1000).rounded())
        self.attackSamples = min(max(attack, 1), samplesPerFrame)
        let frameMilliseconds = Float(samplesPerFrame) * 1000 / Float(sampleRate)
        if settings.releaseTime > 0 {
            self.releaseFactorPerFrame = Decibels.exponential(-frameMilliseconds / settings.releaseTime)
        } else {
            self.releaseFactorPerFrame = 0
        }
    }

    /// Where `gain` gets to after one frame of recovery.
    func released(from gain: Float) -> Float {
        let released = 1 - (1 - gain) * self.releaseFactorPerFrame
        return 1 - released < Self.unityTolerance ? 1 : released
    }
}

/// Look-ahead peak limiter state for one output stream.
///
/// Each frame is converted from the Int32 mix to Int16 with a gain chosen from that frame's
/// own peak, so no sample exceeds the threshold. The gain is constant over a frame except for
/// two smooth movements: falling (within the attack time, at the start of the frame) when the
/// frame needs less gain than the previous one ended with, and rising along the release curve
/// when it needs more. Holding the gain for a whole frame is what prevents pumping on steady input.
struct Limiter: Sendable {
    /// Limiter gain at the last sample written; 1 when not limiting.
    private(set) var gain: Float = 1

    /// Writes `input × scale` into `output` without exceeding the threshold.
    /// `scale` is the listener's output gain, applied before limiting.
    mutating func process(
        _ input: UnsafeBufferPointer<Int32>,
        scale: Float,
        into output: UnsafeMutableBufferPointer<Int16>,
        parameters: LimiterParameters
    ) {
        let peak = Float(SampleKernels.peakMagnitude(input)) * scale
        let target = Self.gain(limiting: peak, to: parameters.threshold)
        let startGain = self.gain
        let endGain = min(target, parameters.released(from: startGain))
        self.gain = endGain

        if endGain >= startGain {
            // Steady or recovering: every gain on the way is at most `endGain`, so at most `target`.
            if startGain == endGain {
                if endGain == 1 && scale == 1 {
                    SampleKernels.convert(input, into: output)
                } else {
                    SampleKernels.convert(input, scaledBy: scale * endGain, into: output)
                }
            } else {
                SampleKernels.convert(input, rampingFrom: scale * startGain, to: scale * endGain, into: output)
            }
            return
        }

        // Attack: fall to `endGain` over the first samples, then hold it.
        let attackLength = min(parameters.attackSamples, input.count)
        let head = UnsafeBufferPointer(rebasing: input[0..<attackLength])
        let headPeak = Float(SampleKernels.peakMagnitude(head)) * scale
        // The ramp itself must not overshoot: if the first millisecond is already loud
        // (an abrupt onset), the ramp starts lower, and the step hides in the onset.
        let rampStart = min(startGain, Self.gain(limiting: headPeak, to: parameters.threshold))
        SampleKernels.convert(
            head,
            rampingFrom: scale * rampStart,
            to: scale * endGain,
            into: UnsafeMutableBufferPointer(rebasing: output[0..<attackLength]))
        SampleKernels.convert(
            UnsafeBufferPointer(rebasing: input[attackLength...]),
            scaledBy: scale * endGain,
            into: UnsafeMutableBufferPointer(rebasing: output[attackLength...]))
    }

    /// A frame in which this stream carried silence: the gain recovers as if it had been written.
    mutating func skipFrame(parameters: LimiterParameters) {
        self.gain = parameters.released(from: self.gain)
    }

    /// Continue from another stream's state, e.g. when a listener moves from the shared mix
    /// to an individual one, so their gain carries on from what they were hearing.
    mutating func follow(_ other: Limiter) {
        self.gain = other.gain
    }

    /// The gain that brings `peak` down to `threshold`, or 1 if it is already below.
    private static func gain(limiting peak: Float, to threshold: Float) -> Float {
        peak > threshold ? threshold / peak : 1
    }
}
