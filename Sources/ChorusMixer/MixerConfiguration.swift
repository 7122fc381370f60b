/// Everything a ``ConferenceMixer`` needs to know up front.
public struct MixerConfiguration: Equatable, Sendable {
    /// Sample rate of every input and output, in Hz. Only used to turn milliseconds into samples.
    public var sampleRate: Int

    /// Samples in one tick's frame (960 = 20 ms at 48 kHz).
    public var samplesPerFrame: Int

    /// When a participant counts as talking.
    public var talkDetection: TalkDetectorSettings

    /// How every output stream is kept from clipping.
    public var limiter: LimiterSettings

    /// Mix only the loudest this many talkers; `nil` mixes every talker.
    /// Bounds the noise a large room adds when many people speak at once.
    public var maximumMixedSpeakers: Int?

    /// Creates a configuration; the defaults are 20 ms frames at 48 kHz with every talker mixed.
    public init(
        sampleRate: Int = 48_000,
        samplesPerFrame: Int = 960,
        talkDetection: TalkDetectorSettings = .init(),
        limiter: LimiterSettings = .init(),
        maximumMixedSpeakers: Int? = nil
    ) {
        self.sampleRate = sampleRate
        self.samplesPerFrame = samplesPerFrame
        self.talkDetection = talkDetection
        self.limiter = limiter
        self.maximumMixedSpeakers = maximumMixedSpeakers
    }
}
