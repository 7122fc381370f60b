/// Plays a ``PromptTone`` into consecutive frames, once or repeating at the tone's interval.
///
/// A value type: copying a player and mixing the copy into several frames overlays the very
/// same samples on each of them (the room does this for a tone everyone hears), while
/// ``advance(by:)`` moves the original on once per tick.
public struct TonePlayer: Sendable {
    /// The tone being played.
    public let tone: PromptTone
    /// Whether the tone comes back every ``PromptTone/repeatIntervalSamples`` until stopped.
    public let repeats: Bool
    private let samples: [Int16]
    /// Samples from one play's start to the next; a one-shot's period is just its length.
    private let period: Int
    /// Where the next frame starts within the current period.
    private var offset = 0

    /// A player at the start of `tone`.
    public init(_ tone: PromptTone, repeats: Bool = false) {
        self.tone = tone
        self.repeats = repeats
        self.samples = tone.samples
        self.period = repeats ? max(tone.repeatIntervalSamples, self.samples.count) : self.samples.count
    }

    /// A one-shot tone has been played to its end (a repeating one never finishes).
    public var isFinished: Bool {
        !self.repeats && self.offset >= self.samples.count
    }

    /// Adds the next `frame.count` samples of the tone to `frame`, saturating at full scale,
    /// and moves on by as much. Returns ``isFinished``.
    @discardableResult
    public mutating func mix(into frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var offset = self.offset
        var written = 0
        self.samples.withUnsafeBufferPointer { tone in
            while written < frame.count && (self.repeats || offset < tone.count) {
                let remaining = frame.count - written
                if offset < tone.count {
                    let count = min(remaining, tone.count - offset)
                    for index in 0..<count {
                        let sum = Int32(frame[written + index]) + Int32(tone[offset + index])
                        frame[written + index] = Int16(clamping: sum)
                    }
                    written += count
                    offset += count
                } else {
                    // The quiet between repetitions.
                    let count = min(remaining, self.period - offset)
                    written += count
                    offset += count
                }
                if offset >= self.period && self.repeats { offset = 0 }
            }
        }
        self.offset = offset
        return self.isFinished
    }

    /// Moves on by `sampleCount` samples without playing them.
    public mutating func advance(by sampleCount: Int) {
        precondition(sampleCount >= 0, "a tone only plays forwards")
        if self.repeats {
            self.offset = (self.offset + sampleCount % self.period) % self.period
        } else {
            self.offset = min(self.samples.count, self.offset + sampleCount)
        }
    }
}
