// MARK: - Recording

extension ConferenceRoom {
    /// Starts recording the room's mix into `recorder` (a recording already running is finished).
    /// Should the recorder fail, the room stops recording and tells its delegate.
    public func startRecording(_ recorder: RoomRecorder) {
        eventLoop.preconditionInEventLoop()
        self.recorder?.finish()
        self.recorder = recorder
        recorder.onFailure = { [weak self, weak recorder] reason in
            guard let self, let recorder, self.recorder === recorder else { return }
            self.stopRecording()
            self.delegate?.room(self, recordingFailed: recorder.url, reason: reason)
        }
        logger.info("recording to \(recorder.url.lastPathComponent)")
    }

    /// Stops recording; the file is finished. Nothing happens when the room is not recorded.
    public func stopRecording() {
        eventLoop.preconditionInEventLoop()
        recorder?.finish()
        recorder = nil
    }

    /// Whether the room is being recorded.
    public var isRecording: Bool { recorder != nil }

    /// Once per tick, right after the mix: the recording gets the room's common mix (what a
    /// listener hears, every talker in it), encoded once; the roster hears of talking changes.
    func afterMix(_ index: Int) {
        if let recorder { mixer.withSharedMix { recorder.append($0) } }
        if talkerReport != nil { checkTalkers(index) }
    }
}
