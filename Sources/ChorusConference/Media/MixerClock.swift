import NIOCore

/// The 20 ms heartbeat of a room's mixer, on the room's event loop.
///
/// Tick *n* is due at `start + n × period`, computed from the start instant rather than by adding
/// a period to the previous wake-up, so scheduling delays never accumulate into drift. When the
/// loop wakes so late that whole ticks have passed (a stall), those ticks are skipped and counted
/// instead of being run back to back: a burst of mixes would only arrive as a burst of packets.
public final class MixerClock: @unchecked Sendable {
    public struct Statistics: Sendable, Equatable {
        public var ticks = 0
        /// Ticks skipped because the loop woke more than a whole period late.
        public var skipped = 0
        /// Lateness of each tick's wake-up, for percentiles.
        public var lateness = LatenessHistogram()
        /// How far ``MixerClock/advance(by:minimumNotice:)`` has moved the ticks earlier in all.
        public var advancedNanoseconds: Int64 = 0
    }

    public let period: TimeAmount
    public private(set) var statistics = Statistics()
    private let eventLoop: any EventLoop
    private let onTick: (Int) -> Void
    private let currentTime: () -> NIODeadline
    private var startedAt: NIODeadline = .uptimeNanoseconds(0)
    private var nextIndex = 0
    private var scheduled: Scheduled<Void>?
    private var running = false

    /// - Parameters:
    ///   - now: the time source; by default the loop's own clock. Tests pass one that can run late.
    ///   - onTick: called on `eventLoop` with the tick's index (skipped ticks leave gaps).
    public init(
        eventLoop: any EventLoop, period: TimeAmount = .milliseconds(20), now: (() -> NIODeadline)? = nil,
        onTick: @escaping (Int) -> Void
    ) {
        self.eventLoop = eventLoop
        self.period = period
        self.currentTime = now ?? { eventLoop.now }
        self.onTick = onTick
    }

    /// Starts ticking; the first tick is due one period from now. Call on the event loop.
    public func start() {
        eventLoop.preconditionInEventLoop()
        guard !running else { return }
        running = true
        startedAt = currentTime()
        nextIndex = 1
        scheduleNext()
    }

    public func stop() {
        eventLoop.preconditionInEventLoop()
        running = false
        scheduled?.cancel()
        scheduled = nil
    }

    /// Moves every tick from the next one on `amount` earlier; the room does this to bring its
    /// ticks closer after its talkers' packets (``TickPhaseAligner``). Cut short so that the next
    /// tick stays at least `minimumNotice` ahead of now. Returns the shift made. Call on the loop.
    @discardableResult
    public func advance(by amount: TimeAmount, minimumNotice: TimeAmount = .milliseconds(2)) -> TimeAmount {
        eventLoop.preconditionInEventLoop()
        guard running, amount.nanoseconds > 0 else { return .zero }
        let next = deadline(of: nextIndex)
        let room = next - (currentTime() + minimumNotice)
        let shift = TimeAmount.nanoseconds(min(amount.nanoseconds, max(room.nanoseconds, 0)))
        guard shift.nanoseconds > 0 else { return .zero }
        startedAt = startedAt - shift
        statistics.advancedNanoseconds += shift.nanoseconds
        if scheduled != nil {
            scheduled?.cancel()
            scheduleNext()
        }
        return shift
    }

    /// When tick `index` is due, as the clock stands now.
    public func dueTime(ofTick index: Int) -> NIODeadline { deadline(of: index) }

    private func deadline(of index: Int) -> NIODeadline {
        startedAt + .nanoseconds(period.nanoseconds * Int64(index))
    }

    private func scheduleNext() {
        let due = deadline(of: nextIndex)
        scheduled = eventLoop.scheduleTask(deadline: due) { [weak self] in
            self?.fire(due: due)
        }
    }

    private func fire(due: NIODeadline) {
        // This task is done: an advance from within `onTick` leaves the scheduling to the end here.
        scheduled = nil
        guard running else { return }
        let now = currentTime()
        let late = now > due ? (now - due).nanoseconds : 0
        // Whole periods missed: jump ahead to the tick that is due now.
        let missed = Int(late / period.nanoseconds)
        statistics.skipped += missed
        nextIndex += missed
        statistics.ticks += 1
        statistics.lateness.record(nanoseconds: late - Int64(missed) * period.nanoseconds)
        let index = nextIndex
        nextIndex += 1
        onTick(index)
        if running { scheduleNext() }
    }
}

/// Durations in fixed-width buckets, for percentiles without keeping every sample: tick
/// lateness (100 µs buckets up to 100 ms, the default) and the delay the room adds.
public struct LatenessHistogram: Sendable, Equatable {
    public let bucketWidthNanoseconds: Int64
    private var buckets: [Int]
    public private(set) var count = 0
    /// The largest duration recorded, in nanoseconds.
    public private(set) var maximumNanoseconds: Int64 = 0

    public init(bucketWidthNanoseconds: Int64 = 100_000, buckets: Int = 1001) {
        self.bucketWidthNanoseconds = bucketWidthNanoseconds
        self.buckets = [Int](repeating: 0, count: buckets)
    }

    mutating func record(nanoseconds: Int64) {
        let index = min(Int(max(nanoseconds, 0) / bucketWidthNanoseconds), buckets.count - 1)
        buckets[index] += 1
        count += 1
        maximumNanoseconds = max(maximumNanoseconds, nanoseconds)
    }

    /// What was recorded after `earlier`, a copy of this histogram taken before (the maximum
    /// stays the overall one).
    public func since(_ earlier: LatenessHistogram) -> LatenessHistogram {
        precondition(earlier.buckets.count == buckets.count && earlier.bucketWidthNanoseconds == bucketWidthNanoseconds)
        var difference = self
        for index in buckets.indices { difference.buckets[index] -= earlier.buckets[index] }
        difference.count -= earlier.count
        return difference
    }

    /// The upper edge of the bucket holding the given percentile (0–100), in milliseconds.
    public func percentileMilliseconds(_ percentile: Double) -> Double {
        guard count > 0 else { return 0 }
        let target = Int((percentile / 100 * Double(count)).rounded(.up))
        var seen = 0
        for (index, value) in buckets.enumerated() {
            seen += value
            if seen >= max(target, 1) {
                return Double(Int64(index + 1) * bucketWidthNanoseconds) / 1_000_000
            }
        }
        return Double(Int64(buckets.count) * bucketWidthNanoseconds) / 1_000_000
    }
}
