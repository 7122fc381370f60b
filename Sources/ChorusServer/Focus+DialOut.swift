import ChorusConference
import ChorusSDP
import ChorusSIP
import NIOCore

/// How a dial-out goes.
enum DialOutEvent: Sendable {
    /// The party is ringing (180, 183).
    case ringing(Int, String)
    /// Answered, and in the room.
    case answered
    /// Not answered: busy, rejected, no answer within ``Focus/dialOutRingTimeout`` (408), or an
    /// answer without usable SDP (488).
    case failed(Int, String)
    /// Not even tried: the room refuses, policy forbids the address, no ports.
    case refused(String)
}

/// Dial-out (RFC 4579 §5): the focus calls someone into a room with its own SDP offer.
extension Focus {
    /// How long a dialed party may ring before Chorus cancels.
    static let dialOutRingTimeout: TimeAmount = .seconds(30)

    /// Whether policy lets Chorus call `target`: `dialout.allowed_domains` empty, or naming its
    /// host or a domain above it.
    func dialOutAllowed(_ target: SIPURI) -> Bool {
        let domains = configuration.dialOut.allowedDomains
        guard !domains.isEmpty else { return true }
        let host = target.hostWithoutBrackets.lowercased()
        return domains.contains { domain in
            let domain = domain.lowercased()
            return host == domain || host.hasSuffix("." + domain)
        }
    }

    /// Calls `target` into `roomID` with `headers` in the INVITE (e.g. `Referred-By`); `events`
    /// hears the progress and, once, the outcome.
    func dialOut(_ target: SIPURI, into roomID: String, headers: SIPHeaders = SIPHeaders(), events: @escaping @Sendable (DialOutEvent) -> Void) {
        guard let userAgent else { return events(.refused("the server is shutting down")) }
        guard dialOutAllowed(target) else { return events(.refused("dial-out to \(target.host) is not allowed")) }
        guard let address = try? target.resolveSocketAddress() else {
            return events(.refused("cannot find \(target.host)"))
        }
        let peer = SIPPeer(kind: target.impliedTransport, remote: address)
        guard let callCapabilities = capabilities(overTLS: peer.kind == .tls) else {
            return events(.refused("SRTP is required and SDES keys are only sent over TLS: invite a sips: URI"))
        }
        do {
            _ = try directory.admit(to: roomID)
        } catch {
            return events(.refused("room \(roomID): \(error.reason.lowercased())"))
        }
        guard let rtpPort = ports.reserve() else {
            directory.leave(roomID)
            return events(.refused("no free media ports"))
        }
        let localAddress = mediaAddress(toward: address)
        let session = SessionIdentity(username: "chorus", sessionID: UInt64.random(in: 1...UInt64(Int64.max)), version: 1)
        let room = room(forJoining: roomID)
        let participant = ParticipantID(nextParticipant)
        nextParticipant += 1
        let call = Call(
            participant: participant, roomID: roomID, room: room, rtpPort: rtpPort, localAddress: localAddress, session: session,
            capabilities: callCapabilities)
        call.dialTarget = target
        calls[participant] = call
        rosterChanged(roomID)
        let prepare: @Sendable () -> MediaLegParameters = {
            let (offer, pending) = OfferAnswer.makeOffer(transport: call.transport, capabilities: call.capabilities, session: session)
            call.localDescription = offer
            call.pendingOffer = pending
            return Self.silentLegParameters
        }
        openLeg(for: call, prepare: prepare)
            .whenComplete { [self] result in
                guard case .success(let leg) = result, !call.ended, let offer = call.localDescription, let pending = call.pendingOffer else {
                    end(call, reason: "media unavailable")
                    return events(.refused("media unavailable"))
                }
                call.leg = leg
                let (host, port) = userAgent.endpoint.transport.advertisedAddress(kind: peer.kind, toward: address)
                let from = SIPNameAddress(uri: SIPURI(scheme: "sip", user: roomID, host: host, port: port))
                var contactParameters = SIPParameters()
                contactParameters.set("isfocus", nil)
                logger.info("\(participant): calling \(target) into room \(roomID)")
                userAgent.call(
                    target, from: from, body: Array(offer.serialized().utf8), contactParameters: contactParameters, headers: headers,
                    peer: peer, ringTimeout: Self.dialOutRingTimeout
                ) { [self] event in
                    switch event {
                    case .progress(let status):
                        events(.ringing(status, SIPResponse.defaultReason(for: status)))
                    case .answered(let dialog, let response):
                        call.dialog = dialog
                        callsByDialog[dialog.id] = participant
                        call.pendingOffer = nil
                        do {
                            let answer = try SessionDescription(parsing: response.body)
                            apply(try OfferAnswer.acceptAnswer(answer, to: pending), to: call)
                            events(.answered)
                        } catch {
                            userAgent.hangUp(dialog)
                            events(.failed(488, "Not Acceptable Here"))
                        }
                    case .failed(let status, let reason):
                        end(call, reason: "dial-out failed")
                        events(.failed(status, reason))
                    }
                }
            }
    }

    /// The `invite` command: dials out and answers with the outcome.
    func invite(_ target: SIPURI, into roomID: String, done: @escaping @Sendable (CommandReply) -> Void) {
        dialOut(target, into: roomID) { event in
            switch event {
            case .ringing: break
            case .answered: done(.ok("\(target) answered and joined room \(roomID)"))
            case .failed(488, _): done(.error("invite: \(target) answered without a usable SDP answer"))
            case .failed(let status, let reason): done(.error("invite: \(target) did not answer: \(status) \(reason)"))
            case .refused(let why): done(.error("invite: \(why)"))
            }
        }
    }
}
