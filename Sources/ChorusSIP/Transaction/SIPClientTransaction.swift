import NIOCore

/// What a client transaction reports to whoever started it.
public enum SIPClientTransactionEvent: Sendable {
    /// A 1xx response.
    case provisional(SIPResponse)
    /// The final response (for INVITE, also each retransmitted 2xx, which the TU must ACK again).
    case final(SIPResponse)
    /// No final response within 64*T1 (Timer B or F): treat as 408 (RFC 3261 §8.1.3.1).
    case timeout
}

/// A client transaction (RFC 3261 §17.1): sends a request, retransmits it over UDP (Timers A/E),
/// gives up after 64*T1 (Timers B/F), ACKs non-2xx INVITE responses itself and absorbs response
/// retransmissions afterwards (Timers D/K). Confined to the endpoint's event loop.
public final class SIPClientTransaction: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case calling  // INVITE, nothing received yet
        case trying  // non-INVITE, nothing received yet
        case proceeding
        case completed
        /// INVITE after a 2xx (RFC 6026 §8.4): further 2xx retransmissions still reach the TU.
        case accepted
        case terminated
    }

    public let request: SIPRequest
    public let peer: SIPPeer
    public private(set) var state: State

    let key: SIPClientTransactionKey
    unowned let endpoint: SIPEndpoint
    private let handler: (SIPClientTransactionEvent) -> Void
    private let requestBytes: ByteBuffer
    private var retransmitTimer: Scheduled<Void>?
    private var timeoutTimer: Scheduled<Void>?
    private var retransmitInterval: Duration
    private var ackBytes: ByteBuffer?

    init(
        request: SIPRequest, peer: SIPPeer, key: SIPClientTransactionKey, endpoint: SIPEndpoint,
        handler: @escaping (SIPClientTransactionEvent) -> Void
    ) {
        self.request = request
        self.peer = peer
        self.key = key
        self.endpoint = endpoint
        self.handler = handler
        self.state = request.method == .invite ? .calling : .trying
        self.retransmitInterval = endpoint.timers.t1
        var buffer = endpoint.allocator.buffer(capacity: 512 + request.body.count)
        request.write(into: &buffer)
        self.requestBytes = buffer
    }

    public var isInvite: Bool { request.method == .invite }

    func start() {
        endpoint.sendRequestBytes(requestBytes, request: request, to: peer)
        if !peer.kind.isReliable { scheduleRetransmit() }
        timeoutTimer = endpoint.eventLoop.schedule(after: endpoint.timers.transactionTimeout) { [weak self] in
            guard let self, self.state == .calling || self.state == .trying || self.state == .proceeding else { return }
            self.terminate()
            self.handler(.timeout)
        }
    }

    private func scheduleRetransmit() {
        retransmitTimer = endpoint.eventLoop.schedule(after: retransmitInterval) { [weak self] in
            guard let self else { return }
            switch self.state {
            case .calling:
                // Timer A doubles without a cap (RFC 3261 §17.1.1.2).
                self.retransmitInterval = self.retransmitInterval * 2
            case .trying:
                self.retransmitInterval = min(self.retransmitInterval * 2, self.endpoint.timers.t2)
            case .proceeding where !self.isInvite:
                self.retransmitInterval = self.endpoint.timers.t2
            default:
                return
            }
            self.endpoint.sendRequestBytes(self.requestBytes, request: self.request, to: self.peer, isRetransmission: true)
            self.scheduleRetransmit()
        }
    }

    func receive(_ response: SIPResponse) {
        switch state {
        case .calling, .trying, .proceeding:
            if response.isProvisional {
                if state == .calling { retransmitTimer?.cancel() }  // INVITE: a 1xx stops Timer A
                state = .proceeding
                handler(.provisional(response))
                return
            }
            retransmitTimer?.cancel()
            timeoutTimer?.cancel()
            if isInvite && response.isSuccess {
                state = .accepted
                timeoutTimer = endpoint.eventLoop.schedule(after: endpoint.timers.transactionTimeout) { [weak self] in
                    self?.terminate()
                }
            } else if isInvite {
                state = .completed
                sendAck(for: response)
                // Timer D: at least 32 s over UDP to absorb retransmitted final responses.
                let wait: Duration = peer.kind.isReliable ? .zero : max(.seconds(32), endpoint.timers.transactionTimeout / 2)
                timeoutTimer = endpoint.eventLoop.schedule(after: wait) { [weak self] in self?.terminate() }
            } else {
                state = .completed
                // Timer K: T4 over UDP, zero over reliable transports.
                let wait: Duration = peer.kind.isReliable ? .zero : endpoint.timers.t4
                timeoutTimer = endpoint.eventLoop.schedule(after: wait) { [weak self] in self?.terminate() }
            }
            handler(.final(response))
        case .completed:
            if isInvite, let ackBytes { endpoint.sendRequestBytes(ackBytes, request: request, to: peer, isRetransmission: true) }
        case .accepted:
            if response.isSuccess { handler(.final(response)) }
        case .terminated:
            break
        }
    }

    /// The ACK for a non-2xx final response belongs to the INVITE's transaction (RFC 3261 §17.1.1.3).
    private func sendAck(for response: SIPResponse) {
        var ack = SIPRequest(
            method: .ack, uri: request.uri, via: Array(request.via.prefix(1)), from: request.from, to: response.to,
            callID: request.callID, cseq: SIPCSeq(request.cseq.sequence, .ack), maxForwards: 70)
        for route in request.headers.values("Route") { ack.headers.add("Route", route) }
        var buffer = endpoint.allocator.buffer(capacity: 512)
        ack.write(into: &buffer)
        ackBytes = buffer
        endpoint.sendRequestBytes(buffer, request: ack, to: peer)
    }

    /// Ends the transaction without telling the handler (used at shutdown and after timeouts).
    func terminate() {
        guard state != .terminated else { return }
        state = .terminated
        retransmitTimer?.cancel()
        timeoutTimer?.cancel()
        endpoint.removeClientTransaction(self)
    }
}
