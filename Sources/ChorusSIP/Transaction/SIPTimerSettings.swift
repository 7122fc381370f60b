/// The base timer values of RFC 3261 §17.1.1.1 (table 4) from which every transaction timer derives.
public struct SIPTimerSettings: Sendable, Hashable {
    /// Round-trip time estimate. Default 500 ms.
    public var t1: Duration
    /// Maximum retransmission interval for non-INVITE requests and INVITE responses. Default 4 s.
    public var t2: Duration
    /// Maximum time a message remains in the network. Default 5 s.
    public var t4: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// 64*T1: Timers B, F, H, J and L/M (RFC 6026).
    public var transactionTimeout: Duration { t1 * 64 }
}

extension Duration {
    /// As NIO's `TimeAmount`, rounding to nanoseconds.
    var timeAmount: TimeAmountShim { TimeAmountShim(self) }
}

import NIOCore

/// Small bridge from Swift `Duration` to NIO `TimeAmount`.
struct TimeAmountShim {
    let amount: TimeAmount
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        amount = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension EventLoop {
    /// Schedules `body` after `delay` on this loop.
    @discardableResult
    public func schedule(after delay: Duration, _ body: @escaping @Sendable () -> Void) -> Scheduled<Void> {
        scheduleTask(in: delay.timeAmount.amount, body)
    }
}
