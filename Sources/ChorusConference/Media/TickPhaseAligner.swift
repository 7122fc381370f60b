/// Decides when a room's ticks move earlier, so that its talkers' packets wait less for them.
///
/// A room's clock runs at its own phase, and a talker's packet that becomes due just after a tick
/// waits almost a whole tick more in the jitter buffer: up to 20 ms of delay that only the phase
/// adds. The jitter buffer tells, for each frame it plays, how long before the pull the frame was
/// due (``ChorusRTP/JitterBuffer/playedSpareMs``). While every mixed talker's frames had at least
/// `marginMs` of spare on each tick of a window, the ticks may move earlier by what the smallest
/// spare allows beyond the margin, at most `maximumStepMs` per window; then a new window starts,
/// measured after the step.
///
/// Only earlier, never later: a talker whose frame comes due just after a tick is played on the
/// next one, as without alignment, and the others' spare shrinks by the step, never below the
/// margin. A jitter buffer keeps its target delay (its floor and the network's jitter) either way;
/// only the wait for the tick shrinks. The listeners' packets leave earlier by the step, once.
/// A spare of a tick or more is not phase: the jitter buffer is behind by whole frames (ticks
/// that were skipped on an overloaded machine), which it catches up on by dropping frames. Moving
/// the ticks would only make the room's clock run fast, so such a tick holds the clock too.
/// Talkers whose spare is unknown (G.711, packets longer than a tick, a concealed frame) hold the
/// clock where it is.
struct TickPhaseAligner {
    var marginMs = 2
    var maximumStepMs = 4
    var windowTicks = 10
    var tickMs = 20
    private var smallestSpareMs = Int.max
    private var observedTicks = 0

    /// One tick's smallest spare among the mixed talkers, nil when a mixed talker's spare is
    /// unknown or nobody was mixed. Returns how many milliseconds the next ticks may move earlier.
    mutating func observe(smallestSpareMs spare: Int?) -> Int {
        guard let spare, spare < tickMs else {
            restartWindow()
            return 0
        }
        smallestSpareMs = min(smallestSpareMs, spare)
        observedTicks += 1
        guard observedTicks >= windowTicks else { return 0 }
        let step = min(max(smallestSpareMs - marginMs, 0), maximumStepMs)
        restartWindow()
        return step
    }

    private mutating func restartWindow() {
        smallestSpareMs = Int.max
        observedTicks = 0
    }
}
