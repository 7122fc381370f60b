import ChorusConference
import ChorusSDP
import ChorusSIP
import NIOCore

/// Dial-out (RFC 4579 §5): the focus calls someone into a room with its own SDP offer.
extension Focus {
    /// How long a dialed party may ring before Chorus cancels.
    static let dialOutRingTimeout: TimeAmount = .seconds(30)

    /// Calls `target` into `roomID`; `done` gets the outcome once the call is answered or has
    /// failed (busy, rejected, no answer within ``dialOutRingTimeout``).
    func dialOut(_ target: SIPURI, into roomID: String, done: @escaping @Sendable (CommandReply) -> Void) {
        guard let userAgent else { return done(.error("the server is shutting down")) }
        guard let address = try? target.resolveSocketAddress() else {
            return done(.error("invite: cannot find \(target.host)"))
        }
        let peer = SIPPeer(kind: target.impliedTransport, remote: address)
        do {
            _ = try directory.admit(to: roomID)
        } catch {
            return done(.error("invite: room \(roomID): \(error.reason.lowercased())"))
        }
        guard let rtpPort = ports.reserve() else {
            directory.leave(roomID)
            return done(.error("invite: no free media ports"))
        }
        let localAddress = mediaAddress(toward: address)
        let session = SessionIdentity(username: "chorus", sessionID: UInt64.random(in: 1...UInt64(Int64.max)), version: 1)
        let room = room(forJoining: roomID)
        let participant = ParticipantID(nextParticipant)
        nextParticipant += 1
        let call = Call(participant: participant, roomID: roomID, room: room, rtpPort: rtpPort, localAddress: localAddress, session: session)
        calls[participant] = call
        let prepare: @Sendable () -> MediaLegParameters = { [self] in
            let (offer, pending) = OfferAnswer.makeOffer(transport: call.transport, capabilities: capabilities, session: session)
            call.localDescription = offer
            call.pendingOffer = pending
            return Self.silentLegParameters
        }
        openLeg(for: call, prepare: prepare)
            .whenComplete { [self] result in
                guard case .success(let leg) = result, !call.ended, let offer = call.localDescription, let pending = call.pendingOffer else {
                    end(call, reason: "media unavailable")
                    return done(.error("invite: media unavailable"))
                }
                call.leg = leg
                let (host, port) = userAgent.endpoint.transport.advertisedAddress(kind: peer.kind, toward: address)
                let from = SIPNameAddress(uri: SIPURI(scheme: "sip", user: roomID, host: host, port: port))
                var contactParameters = SIPParameters()
                contactParameters.set("isfocus", nil)
                logger.info("\(participant): calling \(target) into room \(roomID)")
                userAgent.call(
                    target, from: from, body: Array(offer.serialized().utf8), contactParameters: contactParameters, peer: peer,
                    ringTimeout: Self.dialOutRingTimeout
                ) { [self] event in
                    switch event {
                    case .progress:
                        break
                    case .answered(let dialog, let response):
                        call.dialog = dialog
                        callsByDialog[dialog.id] = participant
                        call.pendingOffer = nil
                        do {
                            let answer = try SessionDescription(parsing: response.body)
                            apply(try OfferAnswer.acceptAnswer(answer, to: pending), to: call)
                            done(.ok("\(target) answered and joined room \(roomID)"))
                        } catch {
                            userAgent.hangUp(dialog)
                            done(.error("invite: \(target) answered without a usable SDP answer"))
                        }
                    case .failed(let status, let reason):
                        end(call, reason: "dial-out failed")
                        done(.error("invite: \(target) did not answer: \(status) \(reason)"))
                    }
                }
            }
    }
}
