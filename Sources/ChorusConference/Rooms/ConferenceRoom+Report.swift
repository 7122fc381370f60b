import NIOCore

// MARK: - Added delay and the periodic media report

extension ConferenceRoom {
    /// After the tick's sends are handed out: how long each mixed talker's audio waited in Chorus,
    /// from their packet's arrival to now (the jitter buffer, the wait for the tick, decoding,
    /// mixing, encoding and the room's own legs' sends).
    func measureAddedDelay() {
        let now = eventLoop.now
        for slot in mixer.activeSpeakers {
            guard let participant = participantsBySlot[slot.index], let arrival = participant.decodedArrival else { continue }
            addedDelay.record(nanoseconds: (now - arrival).nanoseconds)
        }
    }

    /// The counters a report is the difference from.
    struct ReportBaseline {
        var at: NIODeadline
        var statistics: Statistics
        var clock: MixerClock.Statistics
        var addedDelay: LatenessHistogram
    }

    /// Logs a line with what the room did since the last one, every ``Configuration/reportInterval``.
    func reportIfDue() {
        guard let interval = configuration.reportInterval, let clock = clockStatistics else { return }
        let now = eventLoop.now
        guard let last = lastReport else {
            lastReport = ReportBaseline(at: now, statistics: statistics, clock: clock, addedDelay: addedDelay)
            return
        }
        guard now - last.at >= interval else { return }
        lastReport = ReportBaseline(at: now, statistics: statistics, clock: clock, addedDelay: addedDelay)
        logger.info("\(mediaReport(since: last, clock: clock, now: now))")
    }

    /// The jitter-buffer targets of who is mixed now (the main part of the delay they get).
    private func mixedJitterBuffers() -> String {
        let targets = mixer.activeSpeakers.compactMap { participantsBySlot[$0.index]?.legStatus.jitterBufferMs }
        guard !targets.isEmpty else { return "" }
        return "; jitter buffers of the mixed " + targets.map { "\($0) ms" }.joined(separator: ", ")
    }

    func mediaReport(since last: ReportBaseline, clock: MixerClock.Statistics, now: NIODeadline) -> String {
        let seconds = Double((now - last.at).nanoseconds) / 1e9
        func perSecond(_ value: Int) -> String { String(Int((Double(value) / seconds).rounded())) }
        func milliseconds(_ value: Double) -> String {
            let tenths = Int((value * 10).rounded())
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        let lateness = clock.lateness.since(last.clock.lateness)
        let delay = addedDelay.since(last.addedDelay)
        let counts = statistics
        return "media report: \(participantCount) participants, \(activeSpeakers.count) mixed; over \(Int(seconds.rounded())) s: "
            + "\(clock.ticks - last.clock.ticks) ticks, late p50 \(milliseconds(lateness.percentileMilliseconds(50))) "
            + "p99 \(milliseconds(lateness.percentileMilliseconds(99))), \(clock.skipped - last.clock.skipped) skipped; "
            + "decoded \(perSecond(counts.decodedFrames - last.statistics.decodedFrames))/s, "
            + "left undecoded \(perSecond(counts.skippedDecodes - last.statistics.skippedDecodes))/s; "
            + "encoded \(perSecond(counts.sharedEncodes - last.statistics.sharedEncodes))/s shared, "
            + "\(perSecond(counts.individualEncodes - last.statistics.individualEncodes))/s own; "
            + "added delay p50 \(milliseconds(delay.percentileMilliseconds(50))) p99 \(milliseconds(delay.percentileMilliseconds(99))); "
            + "ticks moved earlier by \(milliseconds(Double(clock.advancedNanoseconds - last.clock.advancedNanoseconds) / 1e6))"
            + mixedJitterBuffers()
    }
}
