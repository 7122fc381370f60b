/// ``TalkDetectorSettings`` with the thresholds turned into mean squares, so that the
/// per-frame decision is a comparison, not a logarithm.
struct TalkDetectorParameters: Sendable {
    let startMeanSquare: Float
    let stopMeanSquare: Float
    let attackFrames: Int
    let hangoverFrames: Int

    init(settings: TalkDetectorSettings) {
        self.startMeanSquare = Decibels.meanSquare(fromDBFS: settings.startThreshold)
        // A stop threshold above the start one would make the state flip every frame.
        self.stopMeanSquare = min(Decibels.meanSquare(fromDBFS: settings.stopThreshold), self.startMeanSquare)
        self.attackFrames = max(settings.attackFrames, 1)
        self.hangoverFrames = max(settings.hangoverFrames, 0)
    }
}

/// Per-participant talk state with attack, hysteresis and hangover.
struct TalkDetector: Sendable {
    /// Whether the participant counts as talking after the last update.
    private(set) var isTalking = false

    /// Consecutive frames at or above the start threshold while silent.
    private var loudFrames = 0

    /// Consecutive frames below the stop threshold (or without input) while talking.
    private var quietFrames = 0

    /// Feeds one frame's mean square; 0 for a frame without input.
    mutating func update(meanSquare: Float, parameters: TalkDetectorParameters) {
        if self.isTalking {
            if meanSquare < parameters.stopMeanSquare {
                self.quietFrames += 1
                if self.quietFrames > parameters.hangoverFrames {
                    self.isTalking = false
                    self.quietFrames = 0
                }
            } else {
                self.quietFrames = 0
            }
        } else {
            if meanSquare >= parameters.startMeanSquare {
                self.loudFrames += 1
                if self.loudFrames >= parameters.attackFrames {
                    self.isTalking = true
                    self.loudFrames = 0
                }
            } else {
                self.loudFrames = 0
            }
        }
    }
}
