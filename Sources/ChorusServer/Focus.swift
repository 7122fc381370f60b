import ChorusCodecs
import ChorusConference
import ChorusMixer
import ChorusRTP
import ChorusSDP
import ChorusSIP
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The conference focus (RFC 4353, RFC 4579): the application on top of the SIP dialog layer.
///
/// It turns INVITEs into participants: the Request-URI's user part names the room (admitted by
/// the ``RoomDirectory``), the SDP offer is answered (``OfferAnswer``), a media leg is opened on
/// the room's event loop with a port pair from the ``MediaPortPool``, and the 200 OK carries the
/// answer and a Contact with `isfocus`. It follows the call through late offers (answer in the
/// ACK), re-INVITEs (hold, resume, codec or address change), CANCEL, BYE from either side, the
/// media inactivity timeout and shutdown, and gives everything back when the call ends.
///
/// Lives on the SIP event loop; rooms live on their own loops and report back through
/// ``ConferenceRoomDelegate``, hopping here.
final class Focus: SIPUserAgentDelegate, ConferenceRoomDelegate, @unchecked Sendable {
    /// One call into a room, from INVITE to its end.
    final class Call: @unchecked Sendable {
        let participant: ParticipantID
        let roomID: String
        let room: ConferenceRoom
        /// The RTP port of the call's pair; moves on when the pool's pair cannot be bound.
        var rtpPort: Int
        let localAddress: String
        /// The SDP Chorus sends (answer, or its own offer) for the port the leg got.
        var localDescription: SessionDescription?
        var session: SessionIdentity
        var invite: SIPIncomingInvite?
        var dialog: SIPDialog?
        var leg: MediaLeg?
        /// What offer/answer last settled; nil while Chorus's own offer awaits the answer.
        var audio: NegotiatedAudio?
        /// Chorus's offer (late offer in the 200 OK, or in a 2xx to a re-INVITE without SDP).
        var pendingOffer: PendingOffer?
        var inRoom = false
        var ended = false
        /// Mute, deaf and gains as commands and the keypad set them.
        var controls = ParticipantControls()
        let joinedAt = Date()
        /// In the PIN lobby: answered, not mixed, keying the PIN.
        var inLobby = false
        /// Waiting for a moderator (moderated rooms): answered, not mixed, hearing the waiting tone.
        var waitingForModerator = false
        /// Authenticated on INVITE as an admin or an owner of the room.
        var isModerator = false
        var pinAttempts = 0
        /// Keys pressed and not yet matched (PIN entry, keypad sequences).
        var keys = ""
        var lastKeyAt = NIODeadline.uptimeNanoseconds(0)
        var lobbyTimeout: Scheduled<Void>?
        /// The address Chorus dialed, for a call it made (dial-out, REFER).
        var dialTarget: SIPURI?
        /// Being moved into another room by a re-INVITE of Chorus's own (see Focus+Transfer).
        var moving = false
        /// The room a REFER of Chorus's asked the phone to call (`move`); its NOTIFY of success
        /// ends this call.
        var referredTo: String?
        /// What this call may offer and accept: without SRTP when its signalling may not carry SDES keys.
        let capabilities: LocalMediaCapabilities
        /// The caller's IP address, counted against `security.max_calls_per_source` (nil for dial-out).
        var source: String?
        /// The loop the call's media leg lives on (see ``Focus/legLoop(for:)``).
        var legLoop: (any EventLoop)?

        init(
            participant: ParticipantID, roomID: String, room: ConferenceRoom, rtpPort: Int, localAddress: String, session: SessionIdentity,
            capabilities: LocalMediaCapabilities
        ) {
            self.participant = participant
            self.roomID = roomID
            self.room = room
            self.rtpPort = rtpPort
            self.localAddress = localAddress
            self.session = session
            self.capabilities = capabilities
        }

        var transport: LocalTransport { LocalTransport(address: localAddress, rtpPort: rtpPort, rtcpPort: rtpPort + 1) }
    }

    let logger: Logger
    let configuration: ChorusConfiguration
    let sipLoop: any EventLoop
    let mediaLoops: any EventLoopGroup
    weak var userAgent: SIPUserAgent?
    var directory: RoomDirectory
    var ports: MediaPortPool
    var rooms: [String: ConferenceRoom] = [:]
    var calls: [ParticipantID: Call] = [:]
    var callsByDialog: [SIPDialogID: ParticipantID] = [:]
    /// Calls in progress per caller IP address (`security.max_calls_per_source`).
    var callsBySource: [String: Int] = [:]
    private var callsByInvite: [ObjectIdentifier: ParticipantID] = [:]
    var nextParticipant: UInt64 = 1
    let capabilities: LocalMediaCapabilities
    let roomConfiguration: ConferenceRoom.Configuration
    let commandAuthenticator: CommandAuthenticator
    /// Where created rooms are kept; set at start-up.
    var roomStore: RoomStore?
    /// Moderated rooms whose first moderator has arrived: from then on they run as usual.
    var moderatedRoomsStarted: Set<String> = []
    /// Conference event subscriptions (RFC 4575), by ``ConferenceSubscription/key``.
    var conferenceSubscriptions: [String: ConferenceSubscription] = [:]
    /// Rooms whose roster changed and will be notified shortly (changes are coalesced).
    var rosterFlushes: [String: Scheduled<Void>] = [:]
    /// Rooms being recorded, and where to.
    var recordings: [String: RecordingInfo] = [:]
    /// Rooms of `recording.rooms` whose recording stopped while they ran (`record ROOM stop`, or
    /// the recording failed): not restarted by the next join, only once the room has ended and
    /// runs again.
    var recordingsHeld: Set<String> = []
    /// Recordings' fsync and close run here, off the rooms' loops.
    let recordingThreadPool: NIOThreadPool

    init(configuration: ChorusConfiguration, sipLoop: any EventLoop, mediaLoops: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.sipLoop = sipLoop
        self.mediaLoops = mediaLoops
        self.logger = logger
        directory = RoomDirectory(
            staticRooms: configuration.conference.rooms.map { ($0.id, $0.name, $0.maxParticipants) },
            autoCreate: configuration.conference.autoCreate,
            defaultMaxParticipants: configuration.conference.maxParticipants)
        ports = MediaPortPool(range: configuration.media.portMin...configuration.media.portMax)
        capabilities = LocalMediaCapabilities(
            codecs: [.opus, .pcmu, .pcma],
            srtpPolicy: SRTPPolicy(configuration.media.srtp),
            cryptoSuites: SRTPCryptoSuite.allCases.map(\.sdesName))
        commandAuthenticator = CommandAuthenticator(configuration: configuration.commands, logger: logger)
        let reportSeconds = configuration.media.reportInterval.components.seconds
        roomConfiguration = ConferenceRoom.Configuration(
            mixer: MixerConfiguration(maximumMixedSpeakers: configuration.conference.maxMixedSpeakers),
            inactivityTimeout: .nanoseconds(Int64(configuration.media.inactivityTimeout.components.seconds) * 1_000_000_000),
            reportInterval: reportSeconds > 0 ? .seconds(reportSeconds) : nil,
            forwardsTwoTalkers: configuration.conference.forwardTwoTalkers,
            alignsTicksToTalkers: configuration.media.alignTicksToTalkers)
        recordingThreadPool = NIOThreadPool(numberOfThreads: 1)
        recordingThreadPool.start()
    }

    deinit { recordingThreadPool.shutdownGracefully { _ in } }

    /// Calls in progress (for tests and logs).
    var callCount: Int { calls.count }

    /// What a call whose signalling came over TLS (or not) may offer and accept under
    /// `security.sdes`: SDES keys travel only where allowed, so elsewhere the call is plain RTP;
    /// nil when SRTP is required and the keys may not be sent.
    func capabilities(overTLS: Bool) -> LocalMediaCapabilities? {
        let media = configuration.media
        if configuration.security.sdesAllowed(overTLS: overTLS, srtp: media.srtp) { return capabilities }
        if media.srtp == .required { return nil }
        var plain = capabilities
        plain.srtpPolicy = .off
        return plain
    }

    /// The 488 Warning for a call that needs SRTP over signalling that may not carry its keys.
    static let sdesNeedsTLS = "SRTP is required and SDES keys are only sent over TLS: call a sips: URI or use transport=tls"

    // MARK: - New calls

    func userAgent(_ userAgent: SIPUserAgent, didReceiveInvite invite: SIPIncomingInvite) {
        let request = invite.request
        let (roomID, dialedPIN) = Self.roomAndPIN(fromUser: request.uri.user ?? "")
        let source = invite.transaction.peer.remote.ipString
        let security = configuration.security
        if calls.count >= security.maxCalls {
            logger.warning("call into \(roomID) from \(source) refused: \(calls.count) calls in progress (security.max_calls)")
            return invite.reject(503, reason: "Too Many Calls", headers: ["Retry-After": "30"])
        }
        if callsBySource[source, default: 0] >= security.maxCallsPerSource {
            logger.warning("call into \(roomID) from \(source) refused: \(security.maxCallsPerSource) calls from it in progress (security.max_calls_per_source)")
            return invite.reject(503, reason: "Too Many Calls From Your Address", headers: ["Retry-After": "30"])
        }
        let admitted: RoomDirectory.Room
        do {
            admitted = try directory.admit(to: roomID)
        } catch {
            var refusal = error
            // Without auto-create a caller may only learn that a room exists by getting in: a locked
            // room answers exactly like one that does not exist.
            if case .locked = error, !configuration.conference.autoCreate { refusal = .noSuchRoom(roomID) }
            return invite.reject(refusal.statusCode, reason: roomID.isEmpty ? "No Room In Request-URI" : refusal.reason)
        }
        var isModerator = false
        if admitted.moderated, let user = request.from.uri.user, commandAuthenticator.knows(user) {
            // Someone who claims a configured identity proves it: moderators are owners and admins.
            switch commandAuthenticator.authenticate(request, from: invite.transaction.peer.remote) {
            case .challenge(let headers):
                directory.leave(roomID)
                return invite.reject(401, headers: headers)
            case .forbidden(let reason):
                directory.leave(roomID)
                return invite.reject(403, reason: reason)
            case .overLimit(let retryAfter):
                // An INVITE always gets its answer: left unanswered, it would hold a transaction for 64*T1.
                directory.leave(roomID)
                return invite.reject(503, reason: "Too Many Failed Attempts", headers: ["Retry-After": String(retryAfter)])
            case .authenticated(let username):
                isModerator = mayManage(roomID, user: username)
            }
        }
        var offer: SessionDescription?
        if !request.body.isEmpty {
            do {
                offer = try SessionDescription(parsing: request.body)
            } catch {
                directory.leave(roomID)
                return invite.reject(400, reason: "Malformed SDP", headers: warning("malformed SDP: \(error.reason)"))
            }
        }
        guard let callCapabilities = capabilities(overTLS: invite.transaction.peer.kind == .tls) else {
            directory.leave(roomID)
            return invite.reject(488, headers: warning(Self.sdesNeedsTLS))
        }
        guard let rtpPort = ports.reserve() else {
            directory.leave(roomID)
            logger.warning("no free media ports for a call into \(roomID)")
            return invite.reject(503, reason: "No Media Ports", headers: ["Retry-After": "10"])
        }
        let localAddress = mediaAddress(toward: invite.transaction.peer.remote)
        let session = SessionIdentity(username: "chorus", sessionID: UInt64.random(in: 1...UInt64(Int64.max)), version: 1)
        let room = self.room(forJoining: roomID)
        let participant = ParticipantID(nextParticipant)
        nextParticipant += 1
        let call = Call(
            participant: participant, roomID: roomID, room: room, rtpPort: rtpPort, localAddress: localAddress, session: session,
            capabilities: callCapabilities)
        call.invite = invite
        call.isModerator = isModerator
        call.source = source
        callsBySource[source, default: 0] += 1
        if let pin = admitted.pin, !Self.constantTimeEquals(dialedPIN ?? "", pin) { enterLobby(call) }
        calls[participant] = call
        callsByInvite[ObjectIdentifier(invite.transaction)] = participant

        let prepare: @Sendable () -> MediaLegParameters
        if let offer {
            // Answered once now to refuse early, before any socket is opened; `prepare` answers
            // again for the port the leg really gets (only the port can differ).
            do {
                _ = try OfferAnswer.answer(to: offer, transport: call.transport, capabilities: call.capabilities, session: session)
            } catch {
                invite.reject(error.statusCode, reason: error.reasonPhrase, headers: warning(error.warning))
                logger.info("refused the offer of a call into \(roomID): \(error.warning)")
                end(call, reason: "offer refused")
                return
            }
            prepare = {
                guard let (answer, audio) = try? OfferAnswer.answer(to: offer, transport: call.transport, capabilities: call.capabilities, session: session)
                else { return Self.silentLegParameters }
                call.localDescription = answer
                call.audio = audio
                return Self.legParameters(audio)
            }
        } else {
            // Late offer (RFC 3261 §13.2.1): Chorus offers in the 200 OK, the answer comes in the ACK.
            prepare = {
                let (ourOffer, pending) = OfferAnswer.makeOffer(transport: call.transport, capabilities: call.capabilities, session: session)
                call.localDescription = ourOffer
                call.pendingOffer = pending
                return Self.silentLegParameters
            }
        }

        openLeg(for: call, prepare: prepare).whenComplete { [self] result in
            switch result {
            case .failure:
                invite.reject(503, reason: "Media Unavailable", headers: ["Retry-After": "5"])
                end(call, reason: "media unavailable")
            case .success(let leg):
                call.leg = leg
                guard invite.isPending, !call.ended, let body = call.localDescription else { end(call, reason: "cancelled"); return }
                if let audio = call.audio { join(call, audio: audio) }
                var contactParameters = SIPParameters()
                contactParameters.set("isfocus", nil)
                guard let dialog = invite.accept(body: Array(body.serialized().utf8), contactParameters: contactParameters) else {
                    end(call, reason: "not answered"); return
                }
                call.invite = nil
                call.dialog = dialog
                callsByInvite.removeValue(forKey: ObjectIdentifier(invite.transaction))
                callsByDialog[dialog.id] = participant
                logger.info("\(participant) answered in room \(roomID)", metadata: ["call-id": "\(dialog.id.callID)"])
            }
        }
    }

    /// A leg that neither sends nor receives: until an answer to Chorus's offer arrives.
    static let silentLegParameters = MediaLegParameters(payloadType: 111, clockRate: 48_000, remoteRTP: nil, sends: false, receives: false)

    /// Opens the call's media leg on its port pair. A pair that cannot be bound (another process
    /// holds it) is given back and the next one tried, up to `attempts` pairs; `prepare` makes the
    /// leg's parameters (and the SDP) for the pair being tried.
    func openLeg(for call: Call, prepare: @escaping @Sendable () -> MediaLegParameters, attempts: Int = 8) -> EventLoopFuture<MediaLeg> {
        var legLogger = logger
        legLogger[metadataKey: "participant"] = "\(call.participant)"
        let port = call.rtpPort
        var parameters = prepare()
        parameters.maxPacketsPerSecond = configuration.security.rtpPacketsPerSecond
        let loop = legLoop(for: call)
        call.legLoop = loop
        return MediaLeg.open(on: loop, host: bindHost(for: call.localAddress), rtpPort: port, parameters: parameters, logger: legLogger)
            .hop(to: sipLoop)
            .flatMapError { [self] error in
                logger.warning("cannot open media on port \(port): \(error)")
                guard attempts > 1, !call.ended, let next = ports.reserve() else { return sipLoop.makeFailedFuture(error) }
                ports.release(port)
                call.rtpPort = next
                return openLeg(for: call, prepare: prepare, attempts: attempts - 1)
            }
    }

    func userAgent(_ userAgent: SIPUserAgent, didCancel invite: SIPIncomingInvite) {
        guard let participant = callsByInvite[ObjectIdentifier(invite.transaction)], let call = calls[participant] else { return }
        end(call, reason: "cancelled")
    }

    func userAgent(_ userAgent: SIPUserAgent, dialogConfirmed dialog: SIPDialog, ack: SIPRequest) {
        guard let call = call(for: dialog) else { return }
        takeAnswer(from: ack, for: call)
    }

    func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceiveAck ack: SIPRequest) {
        guard let call = call(for: dialog) else { return }
        takeAnswer(from: ack, for: call)
    }

    /// The ACK that completes Chorus's offer must carry the answer; without a usable one the call
    /// cannot have media and ends with BYE (RFC 3261 §13.2.1: the ACK may not be rejected).
    private func takeAnswer(from ack: SIPRequest, for call: Call) {
        guard let pending = call.pendingOffer else { return }
        call.pendingOffer = nil
        do {
            let answer = try SessionDescription(parsing: ack.body)
            let audio = try OfferAnswer.acceptAnswer(answer, to: pending)
            apply(audio, to: call)
        } catch {
            logger.info("\(call.participant): no usable SDP answer in the ACK (\(error)); hanging up")
            if let dialog = call.dialog { userAgent?.hangUp(dialog) }
        }
    }

    // MARK: - Inside the call

    func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceive request: SIPRequest, transaction: SIPServerTransaction) {
        if dialog.usage == .subscription {
            guard request.method == .subscribe else { return transaction.respond(405, headers: ["Allow": "SUBSCRIBE, BYE"]) }
            return receiveSubscribe(request, transaction: transaction, dialog: dialog)
        }
        guard let call = call(for: dialog) else { return transaction.respond(481) }
        switch request.method {
        case .invite:
            reInvite(request, call: call, dialog: dialog, transaction: transaction)
        case .message:
            receiveMessage(request, transaction: transaction, dialog: dialog)
        case .info:
            receiveInfo(request, call: call, transaction: transaction)
        case .refer:
            receiveRefer(request, transaction: transaction, call: call)
        case .subscribe:
            receiveSubscribe(request, transaction: transaction, dialog: dialog)
        case .notify:
            receiveNotify(request, transaction: transaction, call: call)
        default:
            transaction.respond(405, headers: ["Allow": userAgent.endpoint.configuration.allowHeaderValue])
        }
    }

    func userAgent(_ userAgent: SIPUserAgent, didReceiveOutOfDialog request: SIPRequest, transaction: SIPServerTransaction) {
        switch request.method {
        case .message: receiveMessage(request, transaction: transaction, dialog: nil)
        case .refer: receiveRefer(request, transaction: transaction, call: nil)
        case .subscribe: receiveSubscribe(request, transaction: transaction, dialog: nil)
        case .notify: transaction.respond(481)
        default: transaction.respond(405, headers: ["Allow": userAgent.endpoint.configuration.allowHeaderValue])
        }
    }

    /// A re-INVITE: hold and resume, a new codec or address, or a session refresh.
    private func reInvite(_ request: SIPRequest, call: Call, dialog: SIPDialog, transaction: SIPServerTransaction) {
        // Our own offer is still waiting for its answer: the peer's offer crossed it (RFC 3261 §14.2).
        guard call.pendingOffer == nil, !call.moving else { return transaction.respond(491) }
        call.session.version += 1
        let body: SessionDescription
        if request.body.isEmpty {
            let (offer, pending) = OfferAnswer.makeOffer(
                transport: call.transport, capabilities: call.capabilities, session: call.session)
            body = offer
            call.pendingOffer = pending
        } else {
            let offer: SessionDescription
            do {
                offer = try SessionDescription(parsing: request.body)
            } catch {
                call.session.version -= 1
                return transaction.respond(400, reason: "Malformed SDP", headers: warning("malformed SDP: \(error.reason)"))
            }
            do {
                let (answer, audio) = try OfferAnswer.answer(to: offer, transport: call.transport, capabilities: call.capabilities, session: call.session)
                body = answer
                apply(audio, to: call)
            } catch {
                // The session goes on as it was (RFC 3261 §14.2).
                call.session.version -= 1
                return transaction.respond(error.statusCode, reason: error.reasonPhrase, headers: warning(error.warning))
            }
        }
        var headers: SIPHeaders = ["Contact": "<\(dialog.localContact)>;isfocus"]
        if let allow = userAgent?.endpoint.configuration.allowHeaderValue { headers.add("Allow", allow) }
        headers.add("Content-Type", "application/sdp")
        transaction.respond(200, headers: headers, body: Array(body.serialized().utf8))
    }

    /// Puts a settled offer/answer into effect: the leg's addresses, keys and directions, and
    /// the participant's codec in the room (joining it the first time).
    func apply(_ audio: NegotiatedAudio, to call: Call) {
        let wasInRoom = call.inRoom
        call.audio = audio
        guard let leg = call.leg else { return }
        let parameters = Self.legParameters(audio)
        let format = audioFormat(audio)
        let room = call.room
        let participant = call.participant
        if !wasInRoom {
            join(call, audio: audio)
        }
        // The leg on its own loop, the room on its.
        leg.eventLoop.execute { [logger] in
            do {
                try leg.update(parameters)
            } catch {
                logger.error("\(participant): cannot apply the new session: \(error)")
            }
        }
        if wasInRoom {
            room.eventLoop.execute { [logger] in
                do {
                    try room.update(participant, format: format)
                } catch {
                    logger.error("\(participant): cannot apply the new codec: \(error)")
                }
            }
        }
        logger.info("\(participant): \(audio.codec.kind.rawValue), Chorus \(audio.localDirection.rawValue)\(audio.srtp == nil ? "" : ", SRTP")")
        rosterChanged(call.roomID)
    }

    private func join(_ call: Call, audio: NegotiatedAudio) {
        guard !call.inRoom, let leg = call.leg else { return }
        call.inRoom = true
        if !call.inLobby && !mustWaitForModerator(call) { announce(.join, for: call) }
        let room = call.room
        let participant = call.participant
        let format = audioFormat(audio)
        let admission: ParticipantAdmission = call.inLobby ? .lobby : (mustWaitForModerator(call) ? .waiting : .mixed)
        call.waitingForModerator = admission == .waiting
        if admission == .mixed { moderatorArrived(call) }
        room.eventLoop.execute { [logger] in
            do {
                // A caller for the lobby or the waiting room is never mixed, not even for one tick.
                try room.add(participant, leg: leg, format: format, admission: admission)
                room.start()
            } catch {
                logger.error("\(participant): cannot join room \(room.id): \(error)")
            }
        }
        recordIfConfigured(call.roomID)
        rosterChanged(call.roomID)
    }

    func userAgent(_ userAgent: SIPUserAgent, dialogEnded dialog: SIPDialog, reason: SIPDialogEndReason) {
        for subscription in conferenceSubscriptions.values where subscription.dialog === dialog {
            terminate(subscription, reason: nil)
        }
        guard let call = call(for: dialog) else { return }
        end(call, reason: "\(reason)")
    }

    // MARK: - Room reports (on a room's loop)

    func room(_ room: ConferenceRoom, participantTimedOut participant: ParticipantID) {
        sipLoop.execute { [self] in
            guard let call = calls[participant], let dialog = call.dialog else { return }
            logger.info("\(participant): media inactivity timeout; hanging up")
            userAgent?.hangUp(dialog)
        }
    }

    func room(_ room: ConferenceRoom, talkersChanged talkers: Set<ParticipantID>) {
        let roomID = room.id
        sipLoop.execute { [self] in rosterChanged(roomID) }
    }

    func room(_ room: ConferenceRoom, recordingFailed file: URL, reason: String) {
        let roomID = room.id
        sipLoop.execute { [self] in recordingFailed(roomID, file: file) }
    }

    func room(_ room: ConferenceRoom, participant: ParticipantID, pressed digit: Character, durationMs: Int) {
        sipLoop.execute { [self] in
            guard let call = calls[participant] else { return }
            pressed(digit, by: call)
        }
    }

    // MARK: - Ending

    /// Gives back everything a call holds: its place in the room and directory, its leg and ports.
    @discardableResult
    func end(_ call: Call, reason: String) -> EventLoopFuture<Void> {
        guard !call.ended else { return sipLoop.makeSucceededVoidFuture() }
        call.ended = true
        call.lobbyTimeout?.cancel()
        if call.inRoom && !call.inLobby { announce(.leave, for: call) }
        calls.removeValue(forKey: call.participant)
        if let source = call.source {
            let left = callsBySource[source, default: 1] - 1
            callsBySource[source] = left > 0 ? left : nil
        }
        if let invite = call.invite { callsByInvite.removeValue(forKey: ObjectIdentifier(invite.transaction)) }
        if let dialog = call.dialog { callsByDialog.removeValue(forKey: dialog.id) }
        directory.leave(call.roomID)
        let room = call.room
        let remainingInRoom = calls.values.contains { $0.roomID == call.roomID }
        if !remainingInRoom {
            rooms.removeValue(forKey: call.roomID)
            moderatedRoomsStarted.remove(call.roomID)
            recordings.removeValue(forKey: call.roomID)
            recordingsHeld.remove(call.roomID)
        }
        roomMembershipChanged(call.roomID)
        let participant = call.participant
        let leg = call.leg
        let port = call.rtpPort
        logger.debug("\(participant) ended: \(reason)")
        return room.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            room.remove(participant)
            if !remainingInRoom {
                room.stopRecording()
                room.stop()
            }
            return leg?.close(reason: reason) ?? room.eventLoop.makeSucceededVoidFuture()
        }.hop(to: sipLoop).map { [self] in
            // Only now is the port pair free to bind again.
            ports.release(port)
        }
    }

    /// Ends every call that is left (after the dialog layer's shutdown) and waits for the legs to close.
    func endAll() -> EventLoopFuture<Void> {
        let closing = Array(calls.values).map { end($0, reason: "shutdown") }
        return EventLoopFuture.andAllComplete(closing, on: sipLoop)
    }

    // MARK: - Controls

    /// Applies mute, deaf and gains to the participant of the call with `callID`. False if no such call.
    func setControls(_ controls: ParticipantControls, callID: String) -> Bool {
        guard let call = calls.values.first(where: { $0.dialog?.id.callID == callID }), call.inRoom else { return false }
        apply(controls, to: call)
        return true
    }

    // MARK: - Moderated rooms

    /// Whether a caller must wait: the room is moderated and no moderator has come yet.
    func mustWaitForModerator(_ call: Call) -> Bool {
        guard directory.rooms[call.roomID]?.moderated == true, !call.isModerator else { return false }
        return !moderatedRoomsStarted.contains(call.roomID)
    }

    /// A moderator is in: the room starts, and everyone waiting is mixed.
    func moderatorArrived(_ call: Call) {
        guard call.isModerator, directory.rooms[call.roomID]?.moderated == true,
            moderatedRoomsStarted.insert(call.roomID).inserted
        else { return }
        logger.info("\(call.participant): moderator in room \(call.roomID); the room starts")
        for waiting in calls(in: call.roomID) where waiting.waitingForModerator {
            waiting.waitingForModerator = false
            let room = waiting.room
            let participant = waiting.participant
            room.eventLoop.execute { room.setAdmission(.mixed, for: participant) }
        }
        rosterChanged(call.roomID)
    }

    // MARK: - Calls by room

    func calls(in roomID: String) -> [Call] {
        calls.values.filter { $0.roomID == roomID && !$0.ended }
    }

    /// Ends calls with BYE (or 487/480 when not yet answered). Returns how many.
    @discardableResult
    func hangUp(_ targets: [Call]) -> Int {
        for call in targets {
            if let dialog = call.dialog {
                userAgent?.hangUp(dialog)
            } else if let invite = call.invite {
                invite.reject(480, reason: "Room Closed")
                end(call, reason: "room closed")
            }
        }
        return targets.count
    }

    /// Sets a participant's mixer controls (remembered on the call for `info`).
    func apply(_ controls: ParticipantControls, to call: Call) {
        call.controls = controls
        let room = call.room
        let participant = call.participant
        room.eventLoop.execute { room.setControls(controls, for: participant) }
        rosterChanged(call.roomID)
    }

    // MARK: - Helpers

    func call(for dialog: SIPDialog) -> Call? {
        callsByDialog[dialog.id].flatMap { calls[$0] }
    }

    func room(forJoining id: String) -> ConferenceRoom {
        if let room = rooms[id] { return room }
        let room = ConferenceRoom(id: id, eventLoop: leastLoadedMediaLoop(), configuration: roomConfiguration, logger: logger)
        room.delegate = self
        rooms[id] = room
        updateTalkerReports(id)  // someone may have subscribed to the room before it ran
        return room
    }

    /// The media loop (one per core) for a new room: the one carrying the fewest calls, where SIP's
    /// own loop counts as if it carried a few more, since it also runs all the signalling.
    func leastLoadedMediaLoop() -> any EventLoop {
        var calls: [ObjectIdentifier: Int] = [:]
        for call in self.calls.values { calls[ObjectIdentifier(call.room.eventLoop), default: 0] += 1 }
        let loops = Array(mediaLoops.makeIterator())
        let signallingHandicap = 20
        return loops.min { first, second in
            let firstLoad = calls[ObjectIdentifier(first), default: 0] + (first === sipLoop ? signallingHandicap : 0)
            let secondLoad = calls[ObjectIdentifier(second), default: 0] + (second === sipLoop ? signallingHandicap : 0)
            return firstLoad < secondLoad
        } ?? mediaLoops.next()
    }

    /// The loop a call's media leg lives on. A room up to `media.spread_rooms_larger_than`
    /// participants keeps every leg on its own loop (one hand-off-free tick); in a larger room each
    /// new leg goes to the loop carrying the fewest of the room's legs, so that one room can use
    /// every core.
    func legLoop(for call: Call) -> any EventLoop {
        let room = call.room
        let members = calls.values.filter { $0.room === room && $0 !== call }
        guard members.count >= configuration.media.spreadRoomsLargerThan else { return room.eventLoop }
        var legs: [ObjectIdentifier: Int] = [:]
        for member in members { if let loop = member.legLoop { legs[ObjectIdentifier(loop), default: 0] += 1 } }
        let loops = Array(mediaLoops.makeIterator())
        return loops.min { legs[ObjectIdentifier($0), default: 0] < legs[ObjectIdentifier($1), default: 0] } ?? room.eventLoop
    }

    /// The address put in SDP: the configured public address, else the local address toward the caller.
    func mediaAddress(toward remote: SocketAddress) -> String {
        if let publicAddress = configuration.media.publicAddress, !publicAddress.isEmpty { return publicAddress }
        return LocalAddressLookup.localIP(toward: remote) ?? (remote.protocol == .inet6 ? "::1" : "127.0.0.1")
    }

    /// Binds media to the advertised address when it is local, else to the wildcard of its family.
    func bindHost(for address: String) -> String {
        if let publicAddress = configuration.media.publicAddress, !publicAddress.isEmpty {
            return publicAddress.contains(":") ? "::" : "0.0.0.0"
        }
        return address
    }

    /// A request from a source over a limit: 503 with Retry-After, or no answer at all
    /// (`security.over_limit: drop`).
    func refuseOverLimit(_ transaction: SIPServerTransaction, retryAfter: Int, reason: String = "Too Many Failed Attempts") {
        switch configuration.security.overLimit {
        case .reject: transaction.respond(503, reason: reason, headers: ["Retry-After": String(retryAfter)])
        case .drop: transaction.abandon()
        }
    }

    private func warning(_ text: String) -> SIPHeaders {
        let agent = configuration.sip.userAgent.filter { !$0.isWhitespace }
        var escaped = ""
        for character in text {
            if character == "\\" || character == "\"" { escaped.append("\\") }
            escaped.append(character)
        }
        return ["Warning": "399 \(agent.isEmpty ? "chorus" : agent) \"\(escaped)\""]
    }

    /// What the leg needs from a settled offer/answer.
    static func legParameters(_ audio: NegotiatedAudio) -> MediaLegParameters {
        let remoteRTP = audio.remoteAddress.flatMap { try? SocketAddress(ipAddress: $0, port: audio.remoteRTPPort) }
        var remoteRTCP: SocketAddress?
        if !audio.rtcpMux, let address = audio.remoteRTCPAddress ?? audio.remoteAddress {
            remoteRTCP = try? SocketAddress(ipAddress: address, port: audio.remoteRTCPPort ?? audio.remoteRTPPort + 1)
        }
        let srtp = audio.srtp.flatMap { keys in
            SRTPCryptoSuite(sdesName: keys.suite).map {
                MediaLegParameters.SRTPKeys(
                    suite: $0, inboundKeyingMaterial: keys.remoteKeyingMaterial, outboundKeyingMaterial: keys.localKeyingMaterial)
            }
        }
        return MediaLegParameters(
            payloadType: audio.codec.payloadType, clockRate: audio.codec.clockRate,
            telephoneEventPayloadType: audio.telephoneEvent?.payloadType,
            telephoneEventClockRate: audio.telephoneEvent?.clockRate ?? 8_000,
            remoteRTP: remoteRTP, remoteRTCP: remoteRTCP, rtcpMux: audio.rtcpMux, srtp: srtp,
            sends: audio.chorusSends, receives: audio.chorusReceives, audioLevelExtensionID: audio.audioLevelExtensionID)
    }

    /// The Opus bitrates Chorus encodes at: a receiver's cap is rounded down to one of these, so
    /// that listeners whose phones ask for slightly different rates still share one encoder.
    static let opusBitrateClasses = [6_000, 8_000, 12_000, 16_000, 20_000, 24_000, 32_000, 40_000, 48_000, 64_000, 96_000, 128_000, 256_000, 510_000]

    /// The bitrate class for a wish of `bitrate`: the highest class not above it (the lowest class
    /// for less than that), except that the configured rate itself is always kept.
    static func opusBitrateClass(_ bitrate: Int, configured: Int) -> Int {
        guard bitrate < configured else { return configured }
        return opusBitrateClasses.last { $0 <= bitrate } ?? opusBitrateClasses[0]
    }

    /// How Chorus encodes for this participant: the configured Opus bitrate and complexity,
    /// lowered to their `maxaveragebitrate` (rounded down to a bitrate class, so that similar
    /// phones share encoders), band-limited to their `maxplaybackrate`, with FEC when they asked
    /// for it.
    func audioFormat(_ audio: NegotiatedAudio) -> ParticipantAudioFormat {
        switch audio.codec.kind {
        case .pcmu: return ParticipantAudioFormat(codec: .pcmu, packetMilliseconds: audio.sendPacketTime)
        case .pcma: return ParticipantAudioFormat(codec: .pcma, packetMilliseconds: audio.sendPacketTime)
        case .opus:
            let wishes = audio.codec.opus
            let settings = configuration.media.opus
            let bitrate = Self.opusBitrateClass(wishes?.maxAverageBitrate ?? settings.bitrate, configured: settings.bitrate)
            let fec = wishes?.useInbandFEC ?? false
            let bandwidth: OpusBandwidth =
                switch wishes?.maxPlaybackRate ?? 48_000 {
                case ..<12_000: .narrowband
                case ..<16_000: .mediumband
                case ..<24_000: .wideband
                case ..<48_000: .superwideband
                default: .fullband
                }
            let opus = OpusEncoderConfiguration(
                bitrate: Int32(bitrate), complexity: Int32(settings.complexity), inbandFEC: fec,
                expectedPacketLoss: fec ? 5 : 0, maxBandwidth: bandwidth)
            return ParticipantAudioFormat(codec: .opus, opus: opus)
        }
    }
}

extension NegotiationFailure {
    /// The reason phrase of the SIP answer: 400 for SDP that is not SDP, 488 for an offer Chorus cannot take.
    var reasonPhrase: String { statusCode == 400 ? "Malformed SDP" : "Not Acceptable Here" }
}

extension SRTPPolicy {
    init(_ policy: ChorusConfiguration.Media.SRTPPolicy) {
        switch policy {
        case .off: self = .off
        case .optional: self = .optional
        case .required: self = .required
        }
    }
}
