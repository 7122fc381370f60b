import ChorusConference
import ChorusMixer
import Foundation

/// A room being recorded.
struct RecordingInfo {
    let url: URL
    let startedAt: Date
}

/// Recording rooms (`record ROOM start|stop`, `recording.rooms`): the room's mix, encoded once
/// per tick into an Ogg Opus file (``RoomRecorder``), named after the room and the start time,
/// in `STORAGE/recordings/ROOM/` (rooms whose id is no safe file name are not recorded).
/// Everyone in the room hears a tone when it starts and stops (also when it stops because the
/// file cannot be written), and the roster shows it.
/// Retention (`recording.max_per_room`, `recording.retention_days`) is applied when a recording
/// starts.
extension Focus {
    var recordingsDirectory: URL {
        URL(fileURLWithPath: configuration.storage.directory).appendingPathComponent("recordings", isDirectory: true)
    }

    /// The start time in recording names, UTC to the second.
    static var recordingTimeFormatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }

    /// `ROOM-20261125T093000Z.opus` (`-2.opus` for a second one in the same second): sorts by start time.
    static func recordingName(room: String, startedAt: Date, attempt: Int) -> String {
        let formatter = recordingTimeFormatter
        return "\(room)-\(formatter.string(from: startedAt))\(attempt > 1 ? "-\(attempt)" : "").opus"
    }

    /// Whether a room id can name a folder and a file of recordings as it is. Auto-created rooms
    /// take their id from the Request-URI, where `/` and `..` are legal: such ids must never
    /// become paths.
    static func isUsableAsFileName(_ roomID: String) -> Bool {
        (1...64).contains(roomID.count) && !roomID.hasPrefix(".") && roomID.allSatisfy(RoomSpec.isRoomIDCharacter)
    }

    /// Starts recording a room that is running.
    func startRecording(_ roomID: String) -> CommandReply {
        guard recordings[roomID] == nil else { return .error("room \(roomID) is being recorded already") }
        guard let room = rooms[roomID] else { return .error("nobody is in room \(roomID); record it once it runs") }
        guard Self.isUsableAsFileName(roomID) else {
            logger.warning("room \(roomID) is not recorded: its id cannot name a file")
            return .error("room \(roomID) cannot be recorded: its id is not letters, digits and - _ . ! ~ + (not starting with .)")
        }
        pruneRecordings(of: roomID)
        let startedAt = Date()
        let folder = recordingsDirectory.appendingPathComponent(roomID, isDirectory: true)
        var recorder: RoomRecorder?
        var lastError: (any Error)?
        for attempt in 1...5 where recorder == nil {
            let url = folder.appendingPathComponent(Self.recordingName(room: roomID, startedAt: startedAt, attempt: attempt))
            do {
                recorder = try RoomRecorder(
                    url: url, room: roomID, startedAt: startedAt, bitrate: configuration.recording.bitrate,
                    threadPool: recordingThreadPool, eventLoop: room.eventLoop, logger: logger)
            } catch {
                lastError = error
            }
        }
        guard let recorder else {
            logger.error("cannot record room \(roomID): \(lastError.map { "\($0)" } ?? "no file")")
            return .error("cannot record room \(roomID): \(lastError.map { "\($0)" } ?? "no file")")
        }
        recordings[roomID] = RecordingInfo(url: recorder.url, startedAt: startedAt)
        room.eventLoop.execute {
            room.startRecording(recorder)
            room.playToAll(.recordingStarted, except: nil)
        }
        rosterChanged(roomID)
        logger.info("recording room \(roomID) to \(recorder.url.path)")
        return .ok("recording room \(roomID) to \(recorder.url.lastPathComponent)")
    }

    func stopRecording(_ roomID: String) -> CommandReply {
        guard let info = recordings.removeValue(forKey: roomID), let room = rooms[roomID] else {
            return .error("room \(roomID) is not being recorded")
        }
        recordingsHeld.insert(roomID)
        room.eventLoop.execute {
            room.stopRecording()
            room.playToAll(.recordingStopped, except: nil)
        }
        rosterChanged(roomID)
        return .ok("stopped recording room \(roomID) (\(info.url.lastPathComponent))")
    }

    /// The room's recorder could not write (it logged why) and the room has stopped recording:
    /// everyone hears the stop tone, and `info`, `recordings` and the roster no longer show it
    /// recording. A room of `recording.rooms` is not recorded again before it has ended (each
    /// join would only start another recording on the same failing disk).
    func recordingFailed(_ roomID: String, file: URL) {
        // A `record ROOM stop` (or a new recording) may have come first.
        guard recordings[roomID]?.url == file, let room = rooms[roomID] else { return }
        recordings.removeValue(forKey: roomID)
        recordingsHeld.insert(roomID)
        room.eventLoop.execute { room.playToAll(.recordingStopped, except: nil) }
        rosterChanged(roomID)
        logger.warning("room \(roomID) is no longer recorded: its recording \(file.lastPathComponent) failed")
    }

    /// Starts the recording of a room listed in `recording.rooms` when it starts running (called
    /// on every join), unless `record ROOM stop` or a failure stopped it while the room ran.
    func recordIfConfigured(_ roomID: String) {
        let listed = configuration.recording.rooms
        guard recordings[roomID] == nil, !recordingsHeld.contains(roomID), listed.contains("*") || listed.contains(roomID) else { return }
        _ = startRecording(roomID)
    }

    /// The room's recordings, oldest first.
    func recordingSummaries(of roomID: String) -> [RecordingSummary] {
        let formatter = ISO8601DateFormatter()
        let current = recordings[roomID]?.url.lastPathComponent
        return recordingFiles(of: roomID).map { file in
            RecordingSummary(
                file: file.url.lastPathComponent, room: roomID, startedAt: formatter.string(from: file.created),
                bytes: file.bytes, inProgress: file.url.lastPathComponent == current)
        }
    }

    /// The room's recording files, oldest first: when each started (from its name), when it was
    /// last written, and its size.
    private func recordingFiles(of roomID: String) -> [(url: URL, created: Date, modified: Date, bytes: Int)] {
        guard Self.isUsableAsFileName(roomID) else { return [] }
        let folder = recordingsDirectory.appendingPathComponent(roomID, isDirectory: true)
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
        let urls = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: keys)) ?? []
        let formatter = Self.recordingTimeFormatter
        return urls.compactMap { url in
            let name = url.lastPathComponent
            guard url.pathExtension == "opus", name.hasPrefix(roomID + "-") else { return nil }
            let stamp = name.dropFirst(roomID.count + 1).prefix(16)
            guard let created = formatter.date(from: String(stamp)) else { return nil }
            let values = try? url.resourceValues(forKeys: Set(keys))
            return (url, created, values?.contentModificationDate ?? created, values?.fileSize ?? 0)
        }.sorted { $0.url.lastPathComponent < $1.url.lastPathComponent }
    }

    /// Deletes what retention says must go: recordings last written more than
    /// `recording.retention_days` ago, and the oldest beyond `recording.max_per_room` (one fewer
    /// when a new recording is about to start).
    func pruneRecordings(of roomID: String, makingRoom: Bool = true) {
        let settings = configuration.recording
        var files = recordingFiles(of: roomID).filter { $0.url != recordings[roomID]?.url }
        var doomed: [URL] = []
        if settings.retentionDays > 0 {
            let cutoff = Date().addingTimeInterval(-Double(settings.retentionDays) * 86_400)
            doomed += files.filter { $0.modified < cutoff }.map(\.url)
            files.removeAll { $0.modified < cutoff }
        }
        let keep = settings.maxPerRoom - (makingRoom ? 1 : 0)
        if settings.maxPerRoom > 0, files.count > keep {
            doomed += files.prefix(files.count - keep).map(\.url)
        }
        for url in doomed {
            do {
                try FileManager.default.removeItem(at: url)
                logger.info("recording \(url.lastPathComponent) deleted (retention)")
            } catch {
                logger.warning("cannot delete recording \(url.path): \(error)")
            }
        }
    }

    /// Retention for every room with recordings (at start-up).
    func pruneAllRecordings() {
        let rooms = (try? FileManager.default.contentsOfDirectory(atPath: recordingsDirectory.path)) ?? []
        for room in rooms { pruneRecordings(of: room, makingRoom: false) }
    }
}
