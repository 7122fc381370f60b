internal import CSpanDSP

/// Packet loss concealment for 8 kHz audio (spandsp's `plc_state_t`), freed with the object.
///
/// Feed every frame that arrived to ``received(_:)`` and call ``conceal(into:)`` for every frame
/// that did not. During a loss it repeats the last pitch period of the history, fading to
/// silence within about 60 ms; the first good frame afterwards is cross-faded into the
/// synthetic audio.
///
/// Not thread-safe: it holds the history of one incoming stream; use it from one thread.
public final class G711Concealer {
    private let state: UnsafeMutablePointer<plc_state_t>

    /// Samples per second the concealer is tuned for (its pitch search assumes 8 kHz).
    public static let sampleRate = 8_000

    public init() {
        // plc_init(NULL) only fails when malloc does; there is nothing sensible to recover.
        guard let state = plc_init(nil) else { fatalError("spandsp plc_init: out of memory") }
        self.state = state
    }

    deinit { plc_free(state) }

    /// Records a good frame as history.
    ///
    /// Right after a loss the start of `samples` is rewritten in place: cross-faded from the
    /// concealed audio so the real signal joins it without a click. Play `samples` afterwards.
    public func received(_ samples: UnsafeMutableBufferPointer<Int16>) {
        guard let pointer = samples.baseAddress, !samples.isEmpty else { return }
        plc_rx(state, pointer, Int32(clamping: samples.count))
    }

    /// Fills `output` entirely with the continuation of the last audio received (a lost frame).
    public func conceal(into output: UnsafeMutableBufferPointer<Int16>) {
        guard let pointer = output.baseAddress, !output.isEmpty else { return }
        plc_fillin(state, pointer, Int32(clamping: output.count))
    }

    /// ``received(_:)`` for an array: returns the frame to play (possibly cross-faded).
    public func received(_ samples: [Int16]) -> [Int16] {
        var frame = samples
        frame.withUnsafeMutableBufferPointer { received($0) }
        return frame
    }

    /// ``conceal(into:)`` into a new array of `count` samples.
    public func conceal(count: Int) -> [Int16] {
        var frame = [Int16](repeating: 0, count: count)
        frame.withUnsafeMutableBufferPointer { conceal(into: $0) }
        return frame
    }

    /// Forgets the history, as for a new stream.
    public func reset() {
        plc_init(state)
    }
}
