// MARK: - Talking, for the roster

/// Who was last reported talking, and when.
struct TalkerReport {
    var talking: Set<ParticipantID> = []
    var lastTick = Int.min / 2
}

extension ConferenceRoom {
    /// Talking changes are reported at most this often (ticks of 20 ms: 500 ms), so a lively
    /// room does not flood the subscribers of its roster.
    static let talkerReportTicks = 25

    /// Turns the ``ConferenceRoomDelegate/room(_:talkersChanged:)`` reports on or off (they cost
    /// a look at every participant each tick, so only while someone subscribes).
    public func reportTalkers(_ enabled: Bool) {
        eventLoop.preconditionInEventLoop()
        if !enabled {
            talkerReport = nil
        } else if talkerReport == nil {
            talkerReport = TalkerReport()
        }
    }

    func checkTalkers(_ index: Int) {
        guard var report = talkerReport, index - report.lastTick >= Self.talkerReportTicks else { return }
        var talking = Set<ParticipantID>()
        for participant in ordered where mixer.isTalking(participant.slot) { talking.insert(participant.id) }
        guard talking != report.talking else { return }
        report.talking = talking
        report.lastTick = index
        talkerReport = report
        delegate?.room(self, talkersChanged: talking)
    }
}
