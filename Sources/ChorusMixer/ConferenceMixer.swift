/// The N-1 mixer of one conference room: 48 kHz mono Int16, one frame per tick.
///
/// Each tick the room writes the decoded frame of every participant that sent audio
/// (``withInputFrame(for:_:)``), calls ``mix()``, then reads what each participant hears
/// (``output(for:)`` and ``withOutputFrame(for:_:)``) to encode and send it.
///
/// Talkers (by ``TalkDetectorSettings``) who are not muted are summed once into a shared
/// mix. Listeners who don't talk hear that shared mix, byte-identical for all of them, so
/// the room encodes it once per codec configuration. Talkers hear the shared mix minus their
/// own voice, so nobody hears themselves. Every distinct output goes through its own limiter.
///
/// The work per tick is one energy sum per participant with input, plus a few frame-sized
/// passes per mixed talker; the hot path neither allocates nor hashes.
///
/// Sums are Int32, which holds up to 4096 simultaneous full-scale talkers at maximum gain;
/// ``MixerConfiguration/maximumMixedSpeakers`` bounds that for very large rooms.
///
/// A mixer belongs to one room and is used from that room's thread only.
public final class ConferenceMixer {
    /// The configuration the mixer was created with.
    public let configuration: MixerConfiguration

    /// Number of participants currently in the mixer.
    public private(set) var participantCount = 0

    private let frameLength: Int
    private let talkParameters: TalkDetectorParameters
    private let limiterParameters: LimiterParameters

    /// Per-slot state, indexed by ``MixerSlot/index``.
    private var channels: [ParticipantChannel] = []
    /// Freed slot indices, reused last-freed first.
    private var freeSlots: [Int] = []
    /// Slots mixed in the last tick, loudest first.
    private var contributors: [Int] = []

    private var inputFrames: FrameStorage<Int16>
    private var individualFrames: FrameStorage<Int16>
    private let mixAccumulator: FrameStorage<Int32>
    private let minusOneScratch: FrameStorage<Int32>
    private let sharedFrame: FrameStorage<Int16>
    private let silentFrame: FrameStorage<Int16>
    private var sharedLimiter = Limiter()

    /// Creates an empty mixer.
    public init(configuration: MixerConfiguration = .init()) {
        precondition(configuration.samplesPerFrame > 0, "samplesPerFrame must be positive")
        precondition(configuration.sampleRate > 0, "sampleRate must be positive")
        precondition((configuration.maximumMixedSpeakers ?? 0) >= 0, "maximumMixedSpeakers must not be negative")
        self.configuration = configuration
        self.frameLength = configuration.samplesPerFrame
        self.talkParameters = TalkDetectorParameters(settings: configuration.talkDetection)
        self.limiterParameters = LimiterParameters(
            settings: configuration.limiter,
            sampleRate: configuration.sampleRate,
            samplesPerFrame: configuration.samplesPerFrame)
        let initialCapacity = 8
        self.inputFrames = FrameStorage(frameLength: self.frameLength, frameCapacity: initialCapacity)
        self.individualFrames = FrameStorage(frameLength: self.frameLength, frameCapacity: initialCapacity)
        self.mixAccumulator = FrameStorage(frameLength: self.frameLength, frameCapacity: 1)
        self.minusOneScratch = FrameStorage(frameLength: self.frameLength, frameCapacity: 1)
        self.sharedFrame = FrameStorage(frameLength: self.frameLength, frameCapacity: 1)
        self.silentFrame = FrameStorage(frameLength: self.frameLength, frameCapacity: 1)
        self.channels.reserveCapacity(initialCapacity)
        self.contributors.reserveCapacity(initialCapacity)
    }
}

// MARK: - Participants

extension ConferenceMixer {
    /// Adds a participant and returns their slot, reusing a freed one if there is any.
    /// They hear ``MixerOutput/silence`` until the next ``mix()``.
    public func addParticipant(controls: ParticipantControls = .init()) -> MixerSlot {
        let index: Int
        if let free = self.freeSlots.popLast() {
            index = free
        } else {
            index = self.channels.count
            self.channels.append(ParticipantChannel())
            // Grow everything now, so that ticks never allocate.
            self.inputFrames.grow(toAtLeast: self.channels.count)
            self.individualFrames.grow(toAtLeast: self.channels.count)
            self.contributors.reserveCapacity(self.channels.count)
        }
        self.channels[index] = ParticipantChannel(controls: controls)
        self.participantCount += 1
        return MixerSlot(index: index)
    }

    /// Removes a participant. Their slot may be handed out again by ``addParticipant(controls:)``.
    /// Outputs already mixed for others this tick stay as they are; from the next tick on
    /// nobody hears the removed participant.
    public func removeParticipant(_ slot: MixerSlot) {
        self.checkOccupied(slot)
        self.channels[slot.index] = ParticipantChannel()
        self.contributors.removeAll { $0 == slot.index }
        self.freeSlots.append(slot.index)
        self.participantCount -= 1
    }

    /// Changes a participant's gains, mute and deafness; effective from the next ``mix()``.
    public func setControls(_ controls: ParticipantControls, for slot: MixerSlot) {
        self.checkOccupied(slot)
        self.channels[slot.index].apply(controls)
    }

    /// The participant's controls as last set.
    public func controls(for slot: MixerSlot) -> ParticipantControls {
        self.checkOccupied(slot)
        return self.channels[slot.index].controls
    }

    private func checkOccupied(_ slot: MixerSlot) {
        precondition(
            slot.index >= 0 && slot.index < self.channels.count && self.channels[slot.index].isOccupied,
            "\(slot) is not in this mixer")
    }
}

// MARK: - Input

extension ConferenceMixer {
    /// Lets the room write this tick's decoded frame for a participant and marks it present.
    ///
    /// The buffer holds ``MixerConfiguration/samplesPerFrame`` samples, still containing the
    /// participant's previous frame: write all of them. Participants without a frame this
    /// tick (packet loss, no stream) are simply not mixed in it.
    public func withInputFrame<Result>(
        for slot: MixerSlot,
        _ body: (UnsafeMutableBufferPointer<Int16>) throws -> Result
    ) rethrows -> Result {
        self.checkOccupied(slot)
        self.channels[slot.index].hasInput = true
        return try body(self.inputFrames.frame(slot.index))
    }

    /// Reads the frame last written for the participant with ``withInputFrame(for:_:)`` (what was
    /// mixed of them, before their input gain), without marking any input for the coming tick.
    public func withLastInputFrame<Result>(
        for slot: MixerSlot,
        _ body: (UnsafeBufferPointer<Int16>) throws -> Result
    ) rethrows -> Result {
        self.checkOccupied(slot)
        return try body(UnsafeBufferPointer(self.inputFrames.frame(slot.index)))
    }

    /// Tells the mixer that the participant sent audio this tick at `dBFS` (the level the sender
    /// put in the packet, RFC 6464 −dBov, which measures the same RMS against full scale) but that
    /// the room did not decode it. Talk detection follows the level; nothing is mixed. A frame
    /// given with ``withInputFrame(for:_:)`` in the same tick wins.
    public func setUndecodedInput(levelDBFS dBFS: Float, for slot: MixerSlot) {
        self.checkOccupied(slot)
        self.channels[slot.index].reportedMeanSquare = Decibels.meanSquare(fromDBFS: dBFS)
    }

    /// The level from which talk detection starts counting a participant as talking, in dBFS:
    /// the room decodes a silent participant again once their reported level reaches it.
    public var talkStartThresholdDBFS: Float { self.configuration.talkDetection.startThreshold }
}

// MARK: - The tick

extension ConferenceMixer {
    /// Mixes one tick: detects talkers, sums the contributors once, derives every distinct
    /// output (shared, N-1, output gain) through its limiter, and clears the input marks.
    public func mix() {
        self.detectContributors()
        self.sumContributors()
        if self.contributors.isEmpty {
            self.sharedFrame.clear(0)
            self.sharedLimiter.skipFrame(parameters: self.limiterParameters)
        } else {
            self.sharedLimiter.process(
                UnsafeBufferPointer(self.mixAccumulator.frame(0)),
                scale: 1,
                into: self.sharedFrame.frame(0),
                parameters: self.limiterParameters)
        }
        self.renderOutputs()
    }

    /// Updates every participant's level and talk state and lists who is mixed, loudest first.
    private func detectContributors() {
        self.contributors.removeAll(keepingCapacity: true)
        let frameLength = Float(self.frameLength)
        self.channels.withUnsafeMutableBufferPointer { channels in
            for index in channels.indices where channels[index].isOccupied {
                var meanSquare: Float = 0
                let gain = channels[index].inputGain
                if channels[index].hasInput {
                    let input = UnsafeBufferPointer(self.inputFrames.frame(index))
                    // Gain scales energy by its square: no need to touch the samples here.
                    meanSquare = Float(SampleKernels.sumOfSquares(input)) / frameLength * gain * gain
                } else if let reported = channels[index].reportedMeanSquare {
                    meanSquare = reported * gain * gain
                }
                channels[index].meanSquare = meanSquare
                channels[index].talkDetector.update(meanSquare: meanSquare, parameters: self.talkParameters)
                channels[index].isContributor = false
                if channels[index].talkDetector.isTalking && channels[index].hasInput
                    && !channels[index].controls.muted
                {
                    self.contributors.append(index)
                }
            }
            Self.sortLoudestFirst(&self.contributors, channels: UnsafeBufferPointer(channels))
            if let maximum = self.configuration.maximumMixedSpeakers, self.contributors.count > maximum {
                self.contributors.removeLast(self.contributors.count - maximum)
            }
            for index in self.contributors {
                channels[index].isContributor = true
            }
        }
    }

    /// Insertion sort: talkers are few, and unlike `sort` it never allocates. Ties keep slot order.
    private static func sortLoudestFirst(_ slots: inout [Int], channels: UnsafeBufferPointer<ParticipantChannel>) {
        guard slots.count > 1 else { return }
        for position in 1..<slots.count {
            let slot = slots[position]
            let loudness = channels[slot].meanSquare
            var insertion = position
            while insertion > 0 && channels[slots[insertion - 1]].meanSquare < loudness {
                slots[insertion] = slots[insertion - 1]
                insertion -= 1
            }
            slots[insertion] = slot
        }
    }

    /// Sums every contributor's (gain-scaled) input into the Int32 accumulator.
    private func sumContributors() {
        let accumulator = self.mixAccumulator.frame(0)
        accumulator.update(repeating: 0)
        for index in self.contributors {
            let input = UnsafeBufferPointer(self.inputFrames.frame(index))
            let gain = self.channels[index].inputGain
            if gain == 1 {
                SampleKernels.add(input, into: accumulator)
            } else {
                SampleKernels.add(input, scaledBy: gain, into: accumulator)
            }
        }
    }

    /// Decides and, where needed, renders what every participant hears; clears input marks.
    private func renderOutputs() {
        let mix = UnsafeBufferPointer(self.mixAccumulator.frame(0))
        let scratch = self.minusOneScratch.frame(0)
        let contributorCount = self.contributors.count
        self.channels.withUnsafeMutableBufferPointer { channels in
            for index in channels.indices where channels[index].isOccupied {
                channels[index].hasInput = false
                channels[index].reportedMeanSquare = nil
                let outputGain = channels[index].outputGain
                let output: MixerOutput
                if channels[index].controls.deaf || contributorCount == 0
                    || (channels[index].isContributor && contributorCount == 1)
                {
                    // Nothing to hear (a lone talker would only hear themselves).
                    output = .silence
                } else if channels[index].isContributor {
                    let own = UnsafeBufferPointer(self.inputFrames.frame(index))
                    let inputGain = channels[index].inputGain
                    if inputGain == 1 {
                        SampleKernels.subtract(own, from: mix, into: scratch)
                    } else {
                        SampleKernels.subtract(own, scaledBy: inputGain, from: mix, into: scratch)
                    }
                    channels[index].limiter.process(
                        UnsafeBufferPointer(scratch),
                        scale: outputGain,
                        into: self.individualFrames.frame(index),
                        parameters: self.limiterParameters)
                    output = .individual
                } else if outputGain == 1 {
                    output = .shared
                } else {
                    channels[index].limiter.process(
                        mix,
                        scale: outputGain,
                        into: self.individualFrames.frame(index),
                        parameters: self.limiterParameters)
                    output = .individual
                }
                switch output {
                case .silence:
                    channels[index].limiter.skipFrame(parameters: self.limiterParameters)
                case .shared:
                    // Carry on from the gain they heard, should they get their own mix next tick.
                    channels[index].limiter.follow(self.sharedLimiter)
                case .individual:
                    break
                }
                channels[index].output = output
            }
        }
    }
}

// MARK: - Output and state

extension ConferenceMixer {
    /// What the participant hears after the last ``mix()``.
    public func output(for slot: MixerSlot) -> MixerOutput {
        self.checkOccupied(slot)
        return self.channels[slot.index].output
    }

    /// The frame the participant hears after the last ``mix()``: the shared mix for
    /// ``MixerOutput/shared``, their own frame for ``MixerOutput/individual``, zeros for
    /// ``MixerOutput/silence``. Valid until the next `mix()`.
    public func withOutputFrame<Result>(
        for slot: MixerSlot,
        _ body: (UnsafeBufferPointer<Int16>) throws -> Result
    ) rethrows -> Result {
        self.checkOccupied(slot)
        switch self.channels[slot.index].output {
        case .silence:
            return try body(UnsafeBufferPointer(self.silentFrame.frame(0)))
        case .shared:
            return try body(UnsafeBufferPointer(self.sharedFrame.frame(0)))
        case .individual:
            return try body(UnsafeBufferPointer(self.individualFrames.frame(slot.index)))
        }
    }

    /// The common mix of all contributors after the last ``mix()`` (zeros if nobody talked),
    /// which every ``MixerOutput/shared`` listener hears.
    public func withSharedMix<Result>(_ body: (UnsafeBufferPointer<Int16>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(self.sharedFrame.frame(0)))
    }

    /// The participants mixed in the last tick, loudest first: talking, not muted, with input,
    /// and within ``MixerConfiguration/maximumMixedSpeakers``.
    public var activeSpeakers: [MixerSlot] {
        self.contributors.map(MixerSlot.init(index:))
    }

    /// Whether the last ``mix()`` mixed the participant's voice (see ``activeSpeakers``).
    public func isMixed(_ slot: MixerSlot) -> Bool {
        self.checkOccupied(slot)
        return self.channels[slot.index].isContributor
    }

    /// Whether talk detection counts the participant as talking, muted or not.
    public func isTalking(_ slot: MixerSlot) -> Bool {
        self.checkOccupied(slot)
        return self.channels[slot.index].talkDetector.isTalking
    }

    /// The RMS level of the participant's last frame after input gain, in dBFS
    /// (`-infinity` if they sent nothing or only silence).
    public func level(of slot: MixerSlot) -> Float {
        self.checkOccupied(slot)
        return Decibels.dBFS(fromMeanSquare: self.channels[slot.index].meanSquare)
    }
}
