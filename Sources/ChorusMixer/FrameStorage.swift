/// Contiguous, zero-initialised storage for a number of equally long frames, indexed by slot.
///
/// One allocation for all participants keeps the per-tick passes cache-friendly and
/// allocation-free; it only grows (by reallocating) when participants are added.
struct FrameStorage<Sample: FixedWidthInteger>: ~Copyable {
    /// Samples per frame.
    let frameLength: Int

    /// Frames that fit without growing.
    private(set) var frameCapacity: Int

    private var base: UnsafeMutablePointer<Sample>

    init(frameLength: Int, frameCapacity: Int) {
        precondition(frameLength > 0 && frameCapacity > 0)
        self.frameLength = frameLength
        self.frameCapacity = frameCapacity
        self.base = .allocate(capacity: frameLength * frameCapacity)
        self.base.initialize(repeating: 0, count: frameLength * frameCapacity)
    }

    deinit {
        self.base.deallocate()
    }

    /// The samples of frame `index`. Only valid until the storage grows, which is why
    /// the mixer hands them out inside closures only.
    func frame(_ index: Int) -> UnsafeMutableBufferPointer<Sample> {
        precondition(index >= 0 && index < self.frameCapacity, "frame \(index) out of range")
        return UnsafeMutableBufferPointer(start: self.base + index * self.frameLength, count: self.frameLength)
    }

    /// Makes room for at least `frameCount` frames, keeping the existing ones.
    mutating func grow(toAtLeast frameCount: Int) {
        guard frameCount > self.frameCapacity else { return }
        let newCapacity = max(frameCount, self.frameCapacity * 2)
        let oldCount = self.frameLength * self.frameCapacity
        let newCount = self.frameLength * newCapacity
        let newBase = UnsafeMutablePointer<Sample>.allocate(capacity: newCount)
        newBase.moveInitialize(from: self.base, count: oldCount)
        (newBase + oldCount).initialize(repeating: 0, count: newCount - oldCount)
        self.base.deallocate()
        self.base = newBase
        self.frameCapacity = newCapacity
    }

    /// Sets frame `index` to zeros.
    func clear(_ index: Int) {
        self.frame(index).update(repeating: 0)
    }
}
