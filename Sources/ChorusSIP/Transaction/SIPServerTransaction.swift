import NIOCore

/// A server transaction (RFC 3261 §17.2, with the Accepted state of RFC 6026 for INVITE).
///
/// It absorbs retransmitted requests and answers them with the last response, retransmits final
/// INVITE responses over UDP until the ACK arrives (Timer G, capped at T2), and gives up after
/// 64*T1 (Timers H and L). Confined to the endpoint's event loop, like everything in the endpoint.
public final class SIPServerTransaction: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        /// Non-INVITE, no response yet.
        case trying
        /// A provisional response was sent (INVITE starts here).
        case proceeding
        /// A final non-2xx response was sent; waiting for ACK (INVITE) or for retransmissions to end.
        case completed
        /// INVITE only: the ACK for a non-2xx final response arrived.
        case confirmed
        /// INVITE only (RFC 6026): a 2xx was sent; it is retransmitted until its ACK arrives.
        case accepted
        case terminated
    }

    /// The request that created the transaction, with `received`/`rport` already added to its top Via.
    public let request: SIPRequest
    /// Where the request came from; responses go back there (RFC 3261 §18.2.2).
    public let peer: SIPPeer
    public private(set) var state: State
    /// The last response sent, if any.
    public private(set) var lastResponse: SIPResponse?
    /// The To tag Chorus uses in every response of this transaction that needs one.
    public let localTag: String

    let key: SIPServerTransactionKey
    unowned let endpoint: SIPEndpoint
    private var lastResponseBytes: ByteBuffer?
    private var retransmitTimer: Scheduled<Void>?
    private var timeoutTimer: Scheduled<Void>?
    private var retransmitInterval: Duration = .zero
    /// Whether a CANCEL ended the transaction (the TU has been told).
    public private(set) var wasCancelled = false

    init(request: SIPRequest, peer: SIPPeer, key: SIPServerTransactionKey, endpoint: SIPEndpoint) {
        self.request = request
        self.peer = peer
        self.key = key
        self.endpoint = endpoint
        self.state = request.method == .invite ? .proceeding : .trying
        self.localTag = request.to.tag ?? SIPToken.random()
    }

    public var isInvite: Bool { request.method == .invite }
    public var hasFinalResponse: Bool { (lastResponse?.statusCode ?? 0) >= 200 }

    /// Builds a response to this transaction's request: Via, From, To (with ``localTag`` for any status
    /// above 100), Call-ID and CSeq copied per RFC 3261 §8.2.6.2.
    public func makeResponse(_ statusCode: Int, reason: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) -> SIPResponse {
        endpoint.makeResponse(to: request, statusCode: statusCode, reason: reason, toTag: statusCode > 100 ? localTag : nil, headers: headers, body: body)
    }

    /// Sends a response built by ``makeResponse(_:reason:headers:body:)``.
    public func respond(_ statusCode: Int, reason: String? = nil, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        respond(with: makeResponse(statusCode, reason: reason, headers: headers, body: body))
    }

    /// Sends `response` and moves the state machine. Responses after the final one are ignored (a
    /// TU bug, logged), except that nothing is ever sent on a terminated transaction.
    public func respond(with response: SIPResponse) {
        endpoint.eventLoop.preconditionInEventLoop()
        guard state == .trying || state == .proceeding else {
            endpoint.logger.debug("response \(response.statusCode) after final response ignored", metadata: ["call-id": "\(request.callID)"])
            return
        }
        lastResponse = response
        var buffer = endpoint.allocator.buffer(capacity: 512 + response.body.count)
        response.write(into: &buffer)
        lastResponseBytes = buffer
        endpoint.sendResponse(buffer, response: response, for: self)

        let timers = endpoint.timers
        if response.statusCode < 200 {
            state = .proceeding
        } else if isInvite && response.isSuccess {
            // RFC 6026 §8.5: Accepted. The 2xx is retransmitted (RFC 3261 §13.3.1.4) until the ACK,
            // over every transport, because the ACK for a 2xx is end to end.
            state = .accepted
            retransmitInterval = timers.t1
            scheduleRetransmit()
            timeoutTimer = endpoint.eventLoop.schedule(after: timers.transactionTimeout) { [weak self] in
                self?.ackTimedOut()
            }
        } else if isInvite {
            state = .completed
            if !peer.kind.isReliable {
                retransmitInterval = timers.t1
                scheduleRetransmit()
            }
            timeoutTimer = endpoint.eventLoop.schedule(after: timers.transactionTimeout) { [weak self] in
                self?.ackTimedOut()
            }
        } else {
            state = .completed
            // Timer J: absorb retransmissions for 64*T1 over UDP, none over reliable transports.
            if peer.kind.isReliable {
                terminate()
            } else {
                timeoutTimer = endpoint.eventLoop.schedule(after: timers.transactionTimeout) { [weak self] in
                    self?.terminate()
                }
            }
        }
    }

    /// A retransmission of the request arrived: answer it from the transaction (RFC 3261 §17.2.1, §17.2.2).
    func receivedRetransmission() {
        switch state {
        case .proceeding, .completed:
            resendLastResponse()
        case .trying, .confirmed, .accepted, .terminated:
            break  // absorbed; in Accepted the 2xx retransmission timer already covers it
        }
    }

    /// The ACK for a non-2xx final response (same branch) or for the 2xx (matched by dialog).
    func receivedAck() {
        switch state {
        case .completed where isInvite:
            state = .confirmed
            retransmitTimer?.cancel()
            timeoutTimer?.cancel()
            // Timer I: absorb further ACKs for T4 over UDP.
            if peer.kind.isReliable {
                terminate()
            } else {
                timeoutTimer = endpoint.eventLoop.schedule(after: endpoint.timers.t4) { [weak self] in
                    self?.terminate()
                }
            }
        case .accepted:
            terminate()
        default:
            break
        }
    }

    /// A matching CANCEL arrived: if no final response was sent, answer 487 (RFC 3261 §9.2).
    /// Returns whether the INVITE was still pending and so has been terminated.
    func cancel() -> Bool {
        guard isInvite, state == .proceeding else { return false }
        wasCancelled = true
        respond(487)
        return true
    }

    private func resendLastResponse() {
        guard let bytes = lastResponseBytes, let response = lastResponse else { return }
        endpoint.sendResponse(bytes, response: response, for: self, isRetransmission: true)
    }

    private func scheduleRetransmit() {
        retransmitTimer = endpoint.eventLoop.schedule(after: retransmitInterval) { [weak self] in
            guard let self, self.state == .completed || self.state == .accepted else { return }
            self.resendLastResponse()
            self.retransmitInterval = min(self.retransmitInterval * 2, self.endpoint.timers.t2)
            self.scheduleRetransmit()
        }
    }

    private func ackTimedOut() {
        let wasAccepted = state == .accepted
        guard state == .completed || wasAccepted else { return }
        endpoint.logger.info(
            "no ACK for \(lastResponse?.statusCode ?? 0) to INVITE within 64*T1",
            metadata: ["call-id": "\(request.callID)", "peer": "\(peer)"])
        terminate()
        if wasAccepted { endpoint.ackTimedOut(for: self) }
    }

    /// Ends the transaction without a final response (a request deliberately left unanswered, such
    /// as one over a rate limit): its state is freed at once, and a retransmission starts afresh.
    public func abandon() {
        terminate()
    }

    func terminate() {
        guard state != .terminated else { return }
        state = .terminated
        retransmitTimer?.cancel()
        timeoutTimer?.cancel()
        retransmitTimer = nil
        timeoutTimer = nil
        endpoint.removeServerTransaction(self)
    }
}
