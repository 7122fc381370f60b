import ChorusConference
import ChorusSIP
import NIOCore

/// One subscription to a room's conference events (RFC 4575 over RFC 6665).
final class ConferenceSubscription: @unchecked Sendable {
    let roomID: String
    /// The conference URI the documents name (the Request-URI subscribed to).
    let entity: String
    let dialog: SIPDialog
    /// The `id` parameter of the subscriber's Event header, echoed in every NOTIFY.
    let eventID: String?
    /// Who holds it, for `conference.subscriptions.max_per_subscriber`: ``Focus/subscriberIdentity(_:from:)``.
    let subscriber: String
    var expiry: Scheduled<Void>?
    var expiresAt = NIODeadline.now()
    /// The version of the last document sent (RFC 4575 §4.6: one more with every NOTIFY).
    var version: UInt32 = 0
    /// What the subscriber knows: the users and conference state last sent.
    var sentUsers: [ConferenceInfoDocument.User] = []
    var sentState = ""

    init(roomID: String, entity: String, dialog: SIPDialog, eventID: String?, subscriber: String) {
        self.roomID = roomID
        self.entity = entity
        self.dialog = dialog
        self.eventID = eventID
        self.subscriber = subscriber
    }

    var key: String { Self.key(dialog.id, eventID) }
    static func key(_ dialog: SIPDialogID, _ eventID: String?) -> String { "\(dialog)|\(eventID ?? "")" }
    var eventHeader: String { "conference" + (eventID.map { ";id=\($0)" } ?? "") }
}

/// SUBSCRIBE to a room with `Event: conference` (RFC 4575, RFC 6665): who may, how long, and
/// the NOTIFYs: a full document at once and on every refresh, then partial ones as the roster
/// changes, and `Subscription-State: terminated` when the subscription expires, is withdrawn
/// (`Expires: 0`) or the room ends. A SUBSCRIBE with `Expires: 0` that names no subscription is
/// a fetch (RFC 6665 §4.4.3): 200, then one NOTIFY with the whole roster that also terminates.
///
/// Who may subscribe: a participant of the room (past its lobby), from inside their call or from
/// the address and source IP of their call; anyone else authenticates (digest) as an admin or an
/// owner of the room. How many: `conference.subscriptions.max_per_room` and `max_per_subscriber`.
extension Focus {
    /// Granted when the subscriber names no Expires, and the most granted.
    static let conferenceSubscriptionDefaultExpires = 3600

    func receiveSubscribe(_ request: SIPRequest, transaction: SIPServerTransaction, dialog: SIPDialog?) {
        guard let event = request.headers["Event"].map(EventHeader.init), event.package == "conference" else {
            return transaction.respond(489, headers: ["Allow-Events": "conference, refer"])
        }
        var expires = Self.conferenceSubscriptionDefaultExpires
        if let text = request.headers["Expires"] {
            guard let value = Int(text.trimmingSIPWhitespace()), value >= 0 else { return transaction.respond(400, reason: "Bad Expires") }
            expires = min(value, Self.conferenceSubscriptionDefaultExpires)
        }
        if let dialog, let existing = conferenceSubscriptions[ConferenceSubscription.key(dialog.id, event.id)] {
            return refresh(existing, expires: expires, transaction: transaction)
        }
        let subscriber = Self.subscriberIdentity(request.from.uri, from: transaction.peer)
        if let dialog {
            // A new subscription inside a call: to the caller's own room.
            guard dialog.usage == .invite, let call = call(for: dialog) else { return transaction.respond(481) }
            // A caller in the lobby has not given the room's PIN: the roster is not theirs to see.
            guard !call.inLobby else { return transaction.respond(403, reason: "Not In The Room Yet") }
            guard expires == 0 || withinSubscriptionBounds(of: call.roomID, for: subscriber, transaction: transaction) else { return }
            transaction.respond(200, headers: ["Expires": "\(expires)", "Contact": "<\(dialog.localContact)>"])
            let subscription = ConferenceSubscription(
                roomID: call.roomID, entity: conferenceURI(call.roomID, host: dialog.localContact), dialog: dialog, eventID: event.id,
                subscriber: subscriber)
            if expires == 0 { return fetch(subscription) }
            return start(subscription, expires: expires)
        }
        let roomID = request.uri.user ?? ""
        guard directory.rooms[roomID] != nil else { return transaction.respond(404, reason: "No Such Room") }
        if !isParticipant(request, of: roomID, from: transaction.peer) {
            guard authorisedAsManager(request, transaction: transaction, of: roomID, refusal: "Not A Participant Or Owner Of This Room")
            else { return }
        }
        guard expires == 0 || withinSubscriptionBounds(of: roomID, for: subscriber, transaction: transaction) else { return }
        // A fetch too gets a dialog of its own: its one NOTIFY travels in it.
        guard let created = userAgent?.acceptSubscription(transaction, statusCode: 200, headers: ["Expires": "\(expires)"]) else { return }
        var entity = request.uri
        entity.parameters = SIPParameters()
        entity.headers = []
        let subscription = ConferenceSubscription(roomID: roomID, entity: "\(entity)", dialog: created, eventID: event.id, subscriber: subscriber)
        if expires == 0 { return fetch(subscription) }
        start(subscription, expires: expires)
    }

    /// Who holds a subscription, as `conference.subscriptions.max_per_subscriber` counts: the
    /// From address (user and host) and the source IP address of the SUBSCRIBE.
    static func subscriberIdentity(_ from: SIPURI, from peer: SIPPeer) -> String {
        "\(from.user ?? "")@\(from.host.lowercased()) from \(peer.remote.ipString)"
    }

    /// Whether one more subscription to `roomID` by `subscriber` fits
    /// `conference.subscriptions`; otherwise answers 403 (the subscriber holds its most) or 503
    /// with Retry-After (the room has its most) and returns false.
    private func withinSubscriptionBounds(of roomID: String, for subscriber: String, transaction: SIPServerTransaction) -> Bool {
        let limits = configuration.conference
        var inRoom = 0
        var theirs = 0
        for subscription in conferenceSubscriptions.values {
            if subscription.roomID == roomID { inRoom += 1 }
            if subscription.subscriber == subscriber { theirs += 1 }
        }
        if theirs >= limits.maxSubscriptionsPerSubscriber {
            logger.warning("conference events of room \(roomID): refused \(subscriber), who holds \(theirs) subscriptions already")
            transaction.respond(403, reason: "Too Many Subscriptions")
            return false
        }
        if inRoom >= limits.maxSubscriptionsPerRoom {
            logger.warning("conference events of room \(roomID): refused \(subscriber), the room has \(inRoom) subscriptions already")
            transaction.respond(503, reason: "Too Many Subscriptions To This Room", headers: ["Retry-After": "\(Self.subscriptionRetryAfter)"])
            return false
        }
        return true
    }

    /// Seconds a subscriber refused for a full room is told to wait (`Retry-After`).
    static let subscriptionRetryAfter = 60

    /// A fetch (RFC 6665 §4.4.3): one NOTIFY with the whole roster and
    /// `Subscription-State: terminated;reason=timeout` (the subscription expired as it began);
    /// a dialog made for it ends with that NOTIFY. Nothing is kept.
    private func fetch(_ once: ConferenceSubscription) {
        logger.info("conference events of room \(once.roomID) fetched by \(once.dialog.remote.uri)")
        let ended: @Sendable () -> Void = { [self] in
            if once.dialog.usage == .subscription { userAgent?.forget(once.dialog) }
        }
        roomDetails(once.roomID) { [self] details in
            guard let details else {
                return sendDocument(once, partial: true, description: nil, state: nil, users: [], terminatedReason: "noresource", then: ended)
            }
            sendDocument(
                once, partial: false, description: ConferenceInfoDocument.description(of: details, entity: once.entity),
                state: ConferenceInfoDocument.conferenceState(of: details), users: ConferenceInfoDocument.users(of: details).map(\.xml),
                terminatedReason: "timeout", then: ended)
        }
    }

    private func start(_ subscription: ConferenceSubscription, expires: Int) {
        let roomID = subscription.roomID
        let dialog = subscription.dialog
        conferenceSubscriptions[subscription.key] = subscription
        logger.info("conference events of room \(roomID) subscribed by \(dialog.remote.uri) for \(expires) s")
        schedule(subscription, expires: expires)
        updateTalkerReports(roomID)
        notifyFullState(subscription)
    }

    private func refresh(_ subscription: ConferenceSubscription, expires: Int, transaction: SIPServerTransaction) {
        transaction.respond(200, headers: ["Expires": "\(expires)", "Contact": "<\(subscription.dialog.localContact)>"])
        guard expires > 0 else { return terminate(subscription, reason: nil) }
        schedule(subscription, expires: expires)
        notifyFullState(subscription)
    }

    private func schedule(_ subscription: ConferenceSubscription, expires: Int) {
        subscription.expiry?.cancel()
        subscription.expiresAt = .now() + .seconds(Int64(expires))
        subscription.expiry = sipLoop.scheduleTask(in: .seconds(Int64(expires))) { [weak self, weak subscription] in
            guard let self, let subscription else { return }
            self.terminate(subscription, reason: "timeout")
        }
    }

    /// Whether the request comes from a participant of the room: the From address of one of its
    /// calls (past the lobby), from the same IP address as that call's signalling.
    private func isParticipant(_ request: SIPRequest, of roomID: String, from peer: SIPPeer) -> Bool {
        calls(in: roomID).contains { call in
            guard let dialog = call.dialog, !call.inLobby else { return false }
            return Self.sameAddress(dialog.remote.uri, request.from.uri) && dialog.peer.remote.ipString == peer.remote.ipString
        }
    }

    /// Digest authentication (as for commands) as an owner of the room or an admin. Otherwise
    /// answers 401 with challenges, or 403 (`refusal` for someone authenticated without the
    /// right), and returns false.
    func authorisedAsManager(
        _ request: SIPRequest, transaction: SIPServerTransaction, of roomID: String, refusal: String = "Not An Owner Of This Room"
    ) -> Bool {
        switch commandAuthenticator.authenticate(request, from: transaction.peer.remote) {
        case .challenge(let headers):
            transaction.respond(401, headers: headers)
            return false
        case .forbidden(let reason):
            transaction.respond(403, reason: reason)
            return false
        case .overLimit(let retryAfter):
            refuseOverLimit(transaction, retryAfter: retryAfter)
            return false
        case .authenticated(let user):
            guard mayManage(roomID, user: user) else {
                transaction.respond(403, reason: refusal)
                return false
            }
            return true
        }
    }

    /// Whether an authenticated user is an admin, or an owner of the room.
    func mayManage(_ roomID: String, user: String) -> Bool {
        if commandAuthenticator.isAdmin(user) { return true }
        return directory.rooms[roomID]?.owners.contains { (try? SIPURI(parsing: $0))?.user == user } ?? false
    }

    /// `sip:ROOM@host:port` with the host and port of a Contact of Chorus's.
    func conferenceURI(_ roomID: String, host contact: SIPURI) -> String {
        "\(SIPURI(scheme: contact.scheme, user: roomID, host: contact.host, port: contact.port))"
    }

    // MARK: - NOTIFY

    private func notifyFullState(_ subscription: ConferenceSubscription) {
        roomDetails(subscription.roomID) { [self] details in
            guard conferenceSubscriptions[subscription.key] === subscription else { return }
            guard let details else { return terminate(subscription, reason: "noresource") }
            let users = ConferenceInfoDocument.users(of: details)
            let state = ConferenceInfoDocument.conferenceState(of: details)
            subscription.sentUsers = users
            subscription.sentState = state
            sendDocument(
                subscription, partial: false, description: ConferenceInfoDocument.description(of: details, entity: subscription.entity),
                state: state, users: users.map(\.xml), terminatedReason: nil)
        }
    }

    /// A partial notification with what changed since the last one; nothing when nothing did.
    func notifyChanges(_ subscription: ConferenceSubscription, details: RoomDetails) {
        let users = ConferenceInfoDocument.users(of: details)
        let state = ConferenceInfoDocument.conferenceState(of: details)
        let delta = ConferenceInfoDocument.Delta(from: (subscription.sentUsers, subscription.sentState), to: (users, state))
        guard !delta.isEmpty, subscription.version > 0 else { return }
        subscription.sentUsers = users
        subscription.sentState = state
        sendDocument(subscription, partial: true, description: nil, state: delta.conferenceState, users: delta.users, terminatedReason: nil)
    }

    /// Ends the subscription with a final NOTIFY (`reason` as RFC 6665 §4.1.3 names them: timeout,
    /// noresource, deactivated; nil for one the subscriber withdrew).
    func terminate(_ subscription: ConferenceSubscription, reason: String?) {
        guard conferenceSubscriptions.removeValue(forKey: subscription.key) != nil else { return }
        subscription.expiry?.cancel()
        logger.info("conference events of room \(subscription.roomID) for \(subscription.dialog.remote.uri): terminated (\(reason ?? "unsubscribed"))")
        sendDocument(
            subscription, partial: true, description: nil, state: nil, users: [], terminatedReason: reason ?? "", then: { [self] in
                if subscription.dialog.usage == .subscription { userAgent?.forget(subscription.dialog) }
            })
        updateTalkerReports(subscription.roomID)
    }

    /// Ends every subscription to `roomID` (the room is gone).
    func terminateSubscriptions(of roomID: String, reason: String) {
        for subscription in conferenceSubscriptions.values where subscription.roomID == roomID {
            terminate(subscription, reason: reason)
        }
    }

    /// Ends every subscription (shutdown).
    func terminateAllSubscriptions() {
        for subscription in Array(conferenceSubscriptions.values) { terminate(subscription, reason: "deactivated") }
    }

    /// Sends one NOTIFY of the subscription with the next version. A 481 (or no answer) from the
    /// subscriber ends the subscription quietly.
    private func sendDocument(
        _ subscription: ConferenceSubscription, partial: Bool, description: String?, state: String?, users: [String],
        terminatedReason: String?, then: (() -> Void)? = nil
    ) {
        guard let userAgent else { return }
        subscription.version += 1
        let body = ConferenceInfoDocument.document(
            entity: subscription.entity, version: subscription.version, partial: partial, description: description,
            conferenceState: state, users: users)
        var headers: SIPHeaders = ["Event": subscription.eventHeader]
        if let terminatedReason {
            headers.add("Subscription-State", "terminated" + (terminatedReason.isEmpty ? "" : ";reason=\(terminatedReason)"))
        } else {
            let remaining = max(0, (subscription.expiresAt - .now()).nanoseconds / 1_000_000_000)
            headers.add("Subscription-State", "active;expires=\(remaining)")
        }
        headers.add("Content-Type", ConferenceInfoDocument.contentType)
        userAgent.send(.notify, in: subscription.dialog, headers: headers, body: Array(body.utf8)) { [weak self] response in
            then?()
            guard let self, response == nil || response?.statusCode == 481 else { return }
            if self.conferenceSubscriptions[subscription.key] === subscription {
                self.conferenceSubscriptions.removeValue(forKey: subscription.key)
                subscription.expiry?.cancel()
                if subscription.dialog.usage == .subscription { userAgent.forget(subscription.dialog) }
                self.updateTalkerReports(subscription.roomID)
            }
        }
    }
}

/// An Event header (RFC 6665 §8.2.1): the package and its `id` parameter.
struct EventHeader {
    let package: String
    let id: String?

    init(_ value: String) {
        let parts = value.split(separator: ";").map { String($0).trimmingSIPWhitespace() }
        package = parts.first?.lowercased() ?? ""
        id = parts.dropFirst().first { $0.lowercased().hasPrefix("id=") }.map { String($0.dropFirst(3)) }
    }
}
