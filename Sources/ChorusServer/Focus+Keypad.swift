import ChorusConference
import ChorusMixer
import ChorusSIP
import NIOCore

/// Key presses: the PIN lobby and in-call keypad controls.
///
/// Keys arrive as RFC 4733 telephone-events (reported by the room) or as SIP INFO
/// (`application/dtmf-relay`, `application/dtmf`). A caller of a room with a PIN is answered into
/// a lobby where they are not mixed and hear a prompt until they key the PIN and `#`; three wrong
/// PINs, or 30 s in the lobby, end the call. Once in, the configured sequences (`*6` mute, `*4`
/// and `*7` volume by default) act on the caller and are confirmed with a short tone.
extension Focus {
    static let lobbyTimeout: TimeAmount = .seconds(30)
    static let maximumPINAttempts = 3
    /// Keys further apart than this start a new sequence.
    static let keySequenceGap: TimeAmount = .seconds(2)
    /// One volume step: 3 dB.
    static let volumeStep: Float = 1.4125

    /// Splits a dialed user part into room and PIN: `4200*1234` dials room 4200 with PIN 1234.
    static func roomAndPIN(fromUser user: String) -> (room: String, pin: String?) {
        guard let star = user.firstIndex(of: "*") else { return (user, nil) }
        let pin = String(user[user.index(after: star)...])
        guard !pin.isEmpty, pin.allSatisfy(\.isNumber) else { return (user, nil) }
        return (String(user[..<star]), pin)
    }

    /// INFO carrying a key (RFC 2976 with the common dtmf-relay body, `Signal=5`).
    func receiveInfo(_ request: SIPRequest, call: Call, transaction: SIPServerTransaction) {
        let body = String(decoding: request.body, as: UTF8.self)
        var signal: Character?
        for line in body.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0].lowercased() == "signal" { signal = parts[1].first }
        }
        if signal == nil, request.headers["Content-Type"]?.lowercased().hasPrefix("application/dtmf") == true,
            !(request.headers["Content-Type"]?.lowercased().contains("relay") ?? false)
        {
            signal = body.trimmingCharacters(in: .whitespacesAndNewlines).first
        }
        guard let signal, "0123456789*#ABCDabcd".contains(signal) else {
            return transaction.respond(400, reason: "No DTMF Signal")
        }
        transaction.respond(200)
        pressed(Character(signal.uppercased()), by: call)
    }

    /// One key from the call's participant.
    func pressed(_ key: Character, by call: Call) {
        if call.inLobby { return lobbyKey(key, call: call) }
        let now = NIODeadline.now()
        if now - call.lastKeyAt > Self.keySequenceGap { call.keys = "" }
        call.lastKeyAt = now
        call.keys.append(key)
        let sequences = configuration.conference
        var controls = call.controls
        switch call.keys {
        case sequences.keypadMute:
            controls.muted.toggle()
        case sequences.keypadVolumeDown:
            controls.outputGain = max(0.125, controls.outputGain / Self.volumeStep)
        case sequences.keypadVolumeUp:
            controls.outputGain = min(8, controls.outputGain * Self.volumeStep)
        default:
            let known = [sequences.keypadMute, sequences.keypadVolumeDown, sequences.keypadVolumeUp]
            if !known.contains(where: { $0.hasPrefix(call.keys) }) { call.keys = "" }
            return
        }
        call.keys = ""
        apply(controls, to: call)
        play(.confirm, to: call)
        logger.info("\(call.participant): keypad → muted \(controls.muted), volume ×\(controls.outputGain)")
    }

    private func lobbyKey(_ key: Character, call: Call) {
        guard key == "#" else {
            if call.keys.count < 16 { call.keys.append(key) }
            return
        }
        let entered = call.keys
        call.keys = ""
        let expected = directory.rooms[call.roomID]?.pin ?? ""
        if Self.constantTimeEquals(entered, expected) {
            logger.info("\(call.participant): PIN accepted for room \(call.roomID)")
            admitFromLobby(call)
            play(.confirm, to: call)
            return
        }
        call.pinAttempts += 1
        logger.info("\(call.participant): wrong PIN for room \(call.roomID) (\(call.pinAttempts) of \(Self.maximumPINAttempts))")
        if call.pinAttempts >= Self.maximumPINAttempts {
            if let dialog = call.dialog { userAgent?.hangUp(dialog) }
        } else {
            play(.error, to: call)
        }
    }

    /// Marks a caller of a PIN room for the lobby (the room holds them there from their first
    /// tick, see `join`) and starts the lobby's time limit.
    func enterLobby(_ call: Call) {
        call.inLobby = true
        call.lobbyTimeout = sipLoop.scheduleTask(in: Self.lobbyTimeout) { [weak self, weak call] in
            guard let self, let call, call.inLobby, let dialog = call.dialog else { return }
            self.logger.info("\(call.participant): no PIN within \(Self.lobbyTimeout.nanoseconds / 1_000_000_000) s; hanging up")
            self.userAgent?.hangUp(dialog)
        }
    }

    func admitFromLobby(_ call: Call) {
        call.inLobby = false
        call.lobbyTimeout?.cancel()
        call.lobbyTimeout = nil
        let room = call.room
        let participant = call.participant
        let admission: ParticipantAdmission = mustWaitForModerator(call) ? .waiting : .mixed
        call.waitingForModerator = admission == .waiting
        room.eventLoop.execute { room.setAdmission(admission, for: participant) }
        if admission == .mixed {
            moderatorArrived(call)
            announce(.join, for: call)
        }
        rosterChanged(call.roomID)
    }

    /// A join or leave tone for everyone else in the room, when configured.
    func announce(_ tone: PromptTone, for call: Call) {
        guard configuration.conference.joinTones else { return }
        let room = call.room
        let participant = call.participant
        room.eventLoop.execute { room.playToAll(tone, except: participant) }
    }

    func play(_ tone: PromptTone, to call: Call) {
        let room = call.room
        let participant = call.participant
        room.eventLoop.execute { room.play(tone, to: participant) }
    }

    /// Compares without an early exit, so timing does not tell how much of a PIN was right.
    static func constantTimeEquals(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
