import ChorusRateLimit
import Logging
import NIOCore

/// The SIP endpoint: parses what the transports deliver, matches it to transactions, applies the
/// generic request checks of RFC 3261 §8.2, and sends responses and requests back out.
///
/// Everything here runs on one event loop (``eventLoop``): transports deliver on it, timers fire on
/// it, and the delegate is called on it. Nothing is locked; call it from that loop only.
public final class SIPEndpoint: @unchecked Sendable {
    public let eventLoop: any EventLoop
    public let transport: any SIPTransport
    public let configuration: SIPEndpointConfiguration
    public var logger: Logger
    public weak var delegate: (any SIPEndpointDelegate)?
    public private(set) var statistics = SIPEndpointStatistics()

    let allocator = ByteBufferAllocator()
    var timers: SIPTimerSettings { configuration.timers }

    private var serverTransactions: [SIPServerTransactionKey: SIPServerTransaction] = [:]
    private var clientTransactions: [SIPClientTransactionKey: SIPClientTransaction] = [:]
    private var acceptedInvites: [SIPAcceptedInviteKey: SIPServerTransaction] = [:]
    /// Requests without a To tag by (From tag, Call-ID, CSeq), to spot merged requests (RFC 3261 §8.2.2.2).
    private var pendingByOrigin: [MergeKey: SIPServerTransactionKey] = [:]
    /// New requests per source IP (``SIPEndpointConfiguration/requestRateLimit``).
    private var requestLimiter: KeyedRateLimiter<String>?
    /// 503 answers per source over its rate (the same burst and rate); nil when over-limit requests are dropped.
    private var rejectionLimiter: KeyedRateLimiter<String>?
    /// Sources currently over their rate, so that each episode is logged once.
    private var sourcesOverRate: Set<String> = []

    private struct MergeKey: Hashable {
        var fromTag: String
        var callID: String
        var cseq: UInt32
        var method: String
    }

    public init(eventLoop: any EventLoop, transport: any SIPTransport, configuration: SIPEndpointConfiguration, logger: Logger) {
        self.eventLoop = eventLoop
        self.transport = transport
        self.configuration = configuration
        self.logger = logger
        if let limit = configuration.requestRateLimit {
            requestLimiter = KeyedRateLimiter(capacity: limit.burst, perSecond: limit.perSecond)
            if !limit.dropWhenOver { rejectionLimiter = KeyedRateLimiter(capacity: limit.burst, perSecond: limit.perSecond) }
        }
    }

    /// Number of live server and client transactions (for tests and shutdown).
    public var transactionCount: (server: Int, client: Int) { (serverTransactions.count, clientTransactions.count) }

    // MARK: - Receiving

    /// Entry point for the transports: one whole message (a datagram, or one framed stream message).
    public func receive(_ bytes: ByteBuffer, from peer: SIPPeer) {
        eventLoop.preconditionInEventLoop()
        // A source over its request rate gets a 503 for as many requests again as its burst (refilled
        // at its rate, and none with `dropWhenOver`); beyond that, nothing it sends is even parsed
        // until it slows down: a flood costs a table lookup per datagram, not a parse.
        if requestLimiter != nil, requestLimiter!.isLimited(peer.remote.ipString, now: eventLoop.now.uptimeNanoseconds),
            rejectionLimiter?.take(peer.remote.ipString, now: eventLoop.now.uptimeNanoseconds) != true
        {
            statistics.rateLimitedRequests += 1
            return
        }
        let message: SIPMessage
        do {
            message = try SIPMessageParser.parse(bytes, framing: peer.kind.isReliable ? .stream : .datagram, limits: configuration.limits)
        } catch {
            handleUnparseable(error, bytes: bytes, from: peer)
            return
        }
        if logger.logLevel <= .trace {
            logger.trace("received from \(peer)\n\(String(decoding: bytes.readableBytesView, as: UTF8.self))")
        }
        switch message {
        case .response(let response):
            statistics.responsesReceived += 1
            receive(response, from: peer)
        case .request(var request):
            statistics.requestsReceived += 1
            markReceived(&request, from: peer)
            receive(request, from: peer)
        }
    }

    private func handleUnparseable(_ error: SIPParseError, bytes: ByteBuffer, from peer: SIPPeer) {
        statistics.malformedMessages += 1
        // Garbage counts against the sender's request rate, answerable or not (found by the soak
        // test: a flood of unanswerable garbage never engaged the limit, and every datagram was
        // parsed in full); over the rate, nothing is answered, and what follows is not even parsed.
        let overRate = takeRequestToken(from: peer) != nil
        guard let salvage = error.salvage, salvage.method != "ACK", !overRate else {
            statistics.droppedMessages += 1
            logger.debug("dropped unparseable message from \(peer): \(error.reason)")
            return
        }
        let code = error.suggestedStatusCode
        let bytes = salvage.response(statusCode: code, reason: error.reason, toTag: SIPToken.random())
        var destination = peer
        if !peer.kind.isReliable, !salvage.topVia.wantsRport,
            let port = salvage.topVia.port, let address = try? SocketAddress(ipAddress: peer.remote.ipString, port: port)
        {
            destination.remote = address
        }
        transport.send(ByteBuffer(bytes: bytes), to: destination)
        logger.info("\(salvage.method) from \(peer) → \(code) \(error.reason)")
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: record where the request really came from in its top Via.
    private func markReceived(_ request: inout SIPRequest, from peer: SIPPeer) {
        guard !request.via.isEmpty else { return }
        let sourceIP = peer.remote.ipString
        if request.via[0].hostWithoutBrackets != sourceIP || request.via[0].wantsRport {
            request.via[0].parameters.set("received", sourceIP)
        }
        if request.via[0].wantsRport, let port = peer.remote.port {
            request.via[0].parameters.set("rport", String(port))
        }
    }

    private func receive(_ response: SIPResponse, from peer: SIPPeer) {
        guard let branch = response.via.first?.branch,
            let transaction = clientTransactions[SIPClientTransactionKey(branch: branch, method: response.cseq.method.rawValue)]
        else {
            statistics.droppedMessages += 1
            logger.debug("dropped stray response \(response.statusCode) from \(peer)", metadata: ["call-id": "\(response.callID)"])
            return
        }
        transaction.receive(response)
    }

    private func receive(_ request: SIPRequest, from peer: SIPPeer) {
        guard let key = SIPServerTransactionKey(request) else {
            statistics.droppedMessages += 1
            return
        }
        if request.method == .ack {
            receiveAck(request, key: key, from: peer)
            return
        }
        if let existing = serverTransactions[key] {
            statistics.retransmissionsAbsorbed += 1
            existing.receivedRetransmission()
            return
        }
        guard admitNewRequest(request, from: peer) else { return }
        let transaction = SIPServerTransaction(request: request, peer: peer, key: key, endpoint: self)
        serverTransactions[key] = transaction
        if request.method == .cancel {
            receiveCancel(request, transaction: transaction)
            return
        }
        if request.method == .invite {
            transaction.respond(100)  // at once: Chorus's answers may wait on media set-up
        }
        if let rejection = checkRequest(request, key: key) {
            transaction.respond(with: rejection(transaction))
            return
        }
        guard let delegate else {
            transaction.respond(503, reason: "Not Ready")
            return
        }
        delegate.endpoint(self, didReceive: request, transaction: transaction)
    }

    /// The per-source request rate: true to go on; false when the request is over it (it has then
    /// been answered statelessly with 503 and Retry-After, or dropped), so a flood from one source
    /// creates no transactions and reaches no application code.
    private func admitNewRequest(_ request: SIPRequest, from peer: SIPPeer) -> Bool {
        guard let limit = configuration.requestRateLimit, let retryAfter = takeRequestToken(from: peer) else { return true }
        guard !limit.dropWhenOver else { return false }
        let response = makeResponse(
            to: request, statusCode: 503, reason: "Too Many Requests", toTag: SIPToken.random(), headers: ["Retry-After": String(retryAfter)])
        var buffer = allocator.buffer(capacity: 512)
        response.write(into: &buffer)
        transport.send(buffer, to: responseDestination(for: request.via.first, from: peer))
        return false
    }

    /// Takes a token from the source's bucket: nil when admitted, else the seconds after which it may retry.
    private func takeRequestToken(from peer: SIPPeer) -> Int? {
        guard var limiter = requestLimiter, let limit = configuration.requestRateLimit else { return nil }
        let source = peer.remote.ipString
        let now = eventLoop.now.uptimeNanoseconds
        let admitted = limiter.take(source, now: now)
        let retryAfter = admitted ? 0 : limiter.retryAfter(source, now: now)
        requestLimiter = limiter
        if admitted {
            if !sourcesOverRate.isEmpty { sourcesOverRate.remove(source) }
            return nil
        }
        statistics.rateLimitedRequests += 1
        if sourcesOverRate.count > 10_000 { sourcesOverRate.removeAll() }
        if sourcesOverRate.insert(source).inserted {
            logger.warning(
                "\(source) is over the request rate (\(limit.perSecond)/s, burst \(limit.burst)); \(limit.dropWhenOver ? "dropping" : "answering 503") until it slows down")
        }
        return retryAfter
    }

    /// Where a response to a request from `peer` goes (RFC 3261 §18.2.2, RFC 3581 §4): over UDP
    /// without `rport`, to the port in the top Via; otherwise back to the source.
    func responseDestination(for topVia: SIPVia?, from peer: SIPPeer) -> SIPPeer {
        var destination = peer
        if !peer.kind.isReliable, let topVia, !topVia.wantsRport,
            let address = try? SocketAddress(ipAddress: peer.remote.ipString, port: topVia.port ?? 5060)
        {
            destination.remote = address
        }
        return destination
    }

    private func receiveAck(_ ack: SIPRequest, key: SIPServerTransactionKey, from peer: SIPPeer) {
        if let transaction = serverTransactions[key], transaction.state == .completed || transaction.state == .confirmed {
            transaction.receivedAck()  // ACK for a non-2xx final response: hop by hop
            return
        }
        let acceptedKey = SIPAcceptedInviteKey(callID: ack.callID, cseq: ack.cseq.sequence, localTag: ack.to.tag ?? "")
        if let transaction = acceptedInvites.removeValue(forKey: acceptedKey) {
            transaction.receivedAck()
            delegate?.endpoint(self, didReceiveAck: ack, for: transaction)
            return
        }
        statistics.droppedMessages += 1
        logger.debug("dropped ACK matching no transaction from \(peer)", metadata: ["call-id": "\(ack.callID)"])
    }

    private func receiveCancel(_ cancel: SIPRequest, transaction: SIPServerTransaction) {
        guard let inviteKey = SIPServerTransactionKey(invitePendingCancel: cancel),
            let invite = serverTransactions[inviteKey]
        else {
            transaction.respond(481)
            return
        }
        transaction.respond(200)
        if invite.cancel() {
            delegate?.endpoint(self, didCancel: invite)
        }
    }

    /// The checks of RFC 3261 §8.2 in the RFC's order; returns the rejection to send, if any.
    private func checkRequest(_ request: SIPRequest, key: SIPServerTransactionKey) -> ((SIPServerTransaction) -> SIPResponse)? {
        let config = configuration
        if let maxForwards = request.maxForwards, maxForwards <= 0, request.method != .options {
            return { $0.makeResponse(483) }
        }
        // §8.2.1 method inspection.
        if !config.allowedMethods.contains(request.method) {
            return { $0.makeResponse(405, headers: ["Allow": config.allowHeaderValue]) }
        }
        // §8.2.2.1 Request-URI scheme.
        if !request.uri.isSIP {
            return { $0.makeResponse(416, reason: "Unsupported URI Scheme \(request.uri.scheme)") }
        }
        // §8.2.2.2 merged requests: same origin and CSeq, different branch, not yet answered.
        if request.to.tag == nil, let fromTag = request.from.tag {
            let merge = MergeKey(fromTag: fromTag, callID: request.callID, cseq: request.cseq.sequence, method: request.method.rawValue)
            if let other = pendingByOrigin[merge], other != key, serverTransactions[other] != nil {
                return { $0.makeResponse(482) }
            }
            pendingByOrigin[merge] = key
        }
        // §8.2.2.3 Require.
        let unsupported = request.headers.tokens("Require").filter { !config.supportedExtensions.contains($0) }
        if !unsupported.isEmpty {
            return { $0.makeResponse(420, headers: ["Unsupported": unsupported.joined(separator: ", ")]) }
        }
        // §8.2.3 content processing.
        if !request.body.isEmpty {
            let accepted = config.acceptedContentTypes[request.method] ?? []
            let type = request.headers["Content-Type"].map(Self.mediaType) ?? ""
            if !accepted.contains(type) {
                var headers: SIPHeaders = ["Accept": accepted.joined(separator: ", ")]
                headers.add("Accept-Encoding", "identity")
                let what = type.isEmpty ? "Missing Content-Type" : "Unsupported Content-Type \(type)"
                return { $0.makeResponse(415, reason: what, headers: headers) }
            }
            if let encoding = request.headers["Content-Encoding"], encoding.lowercased() != "identity" {
                return { $0.makeResponse(415, reason: "Unsupported Content-Encoding", headers: ["Accept-Encoding": "identity"]) }
            }
        }
        return nil
    }

    /// `application/SDP; charset=x` → `application/sdp`.
    static func mediaType(_ contentType: String) -> String {
        let base = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return base.trimmingSIPWhitespace().lowercased()
    }

    // MARK: - Responses

    /// A response to `request` that copies what RFC 3261 §8.2.6.2 requires.
    public func makeResponse(
        to request: SIPRequest, statusCode: Int, reason: String? = nil, toTag: String?, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []
    ) -> SIPResponse {
        var to = request.to
        if to.tag == nil, let toTag { to.tag = toTag }
        var allHeaders = headers
        if !allHeaders.contains("Server") { allHeaders.add("Server", configuration.userAgent) }
        return SIPResponse(
            statusCode: statusCode, reasonPhrase: reason.map(Self.sanitisedReason), via: request.via, from: request.from, to: to,
            callID: request.callID, cseq: request.cseq, headers: allHeaders, body: body)
    }

    static func sanitisedReason(_ reason: String) -> String {
        String(reason.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && $0.isASCII }.map(Character.init))
    }

    /// Sends a response of `transaction` to where RFC 3261 §18.2.2 and RFC 3581 §4 say.
    func sendResponse(_ bytes: ByteBuffer, response: SIPResponse, for transaction: SIPServerTransaction, isRetransmission: Bool = false) {
        let destination = responseDestination(for: transaction.request.via.first, from: transaction.peer)
        transport.send(bytes, to: destination)
        if logger.logLevel <= .trace {
            logger.trace("sent to \(destination)\n\(String(decoding: bytes.readableBytesView, as: UTF8.self))")
        }
        if response.statusCode >= 200, !isRetransmission {
            let request = transaction.request
            logger.info(
                "\(request.method) \(configuration.loggedURI(request.uri)) from \(transaction.peer) → \(response.statusCode) \(response.reasonPhrase)",
                metadata: ["call-id": "\(request.callID)"])
        }
        if isInvite2xx(response), !isRetransmission {
            let key = SIPAcceptedInviteKey(callID: response.callID, cseq: response.cseq.sequence, localTag: response.to.tag ?? "")
            acceptedInvites[key] = transaction
        }
    }

    private func isInvite2xx(_ response: SIPResponse) -> Bool {
        response.cseq.method == .invite && response.isSuccess
    }

    func ackTimedOut(for transaction: SIPServerTransaction) {
        delegate?.endpoint(self, ackTimedOutFor: transaction)
    }

    func removeServerTransaction(_ transaction: SIPServerTransaction) {
        if serverTransactions[transaction.key] === transaction {
            serverTransactions.removeValue(forKey: transaction.key)
        }
        let request = transaction.request
        if request.to.tag == nil, let fromTag = request.from.tag {
            let merge = MergeKey(fromTag: fromTag, callID: request.callID, cseq: request.cseq.sequence, method: request.method.rawValue)
            if pendingByOrigin[merge] == transaction.key { pendingByOrigin.removeValue(forKey: merge) }
        }
        if let lastResponse = transaction.lastResponse, isInvite2xx(lastResponse) {
            let key = SIPAcceptedInviteKey(callID: lastResponse.callID, cseq: lastResponse.cseq.sequence, localTag: lastResponse.to.tag ?? "")
            if acceptedInvites[key] === transaction { acceptedInvites.removeValue(forKey: key) }
        }
    }

    // MARK: - Requests

    /// Sends `request` in a new client transaction. A top Via with a fresh branch and `rport` is
    /// added when the request has none. `handler` runs on the event loop for each response event.
    @discardableResult
    public func sendRequest(
        _ request: SIPRequest, to peer: SIPPeer, handler: @escaping (SIPClientTransactionEvent) -> Void
    ) -> SIPClientTransaction {
        eventLoop.preconditionInEventLoop()
        var request = request
        if request.via.isEmpty { request.via = [makeVia(for: peer)] }
        if !request.headers.contains("User-Agent") { request.headers.add("User-Agent", configuration.userAgent) }
        let key = SIPClientTransactionKey(branch: request.topBranch ?? "", method: request.method.rawValue)
        let transaction = SIPClientTransaction(request: request, peer: peer, key: key, endpoint: self, handler: handler)
        clientTransactions[key] = transaction
        transaction.start()
        return transaction
    }

    /// Sends a request outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4).
    public func sendStateless(_ request: SIPRequest, to peer: SIPPeer) {
        var request = request
        if request.via.isEmpty { request.via = [makeVia(for: peer)] }
        var buffer = allocator.buffer(capacity: 512 + request.body.count)
        request.write(into: &buffer)
        sendRequestBytes(buffer, request: request, to: peer)
    }

    /// A Via for a request Chorus originates toward `peer`.
    public func makeVia(for peer: SIPPeer) -> SIPVia {
        let (host, port) = transport.advertisedAddress(kind: peer.kind, toward: peer.remote)
        return SIPVia(transport: peer.kind.rawValue, host: host, port: port, parameters: [("branch", SIPToken.branch()), ("rport", nil)])
    }

    func sendRequestBytes(_ bytes: ByteBuffer, request: SIPRequest, to peer: SIPPeer, isRetransmission: Bool = false) {
        transport.send(bytes, to: peer)
        if logger.logLevel <= .trace {
            logger.trace("sent to \(peer)\n\(String(decoding: bytes.readableBytesView, as: UTF8.self))")
        }
    }

    func removeClientTransaction(_ transaction: SIPClientTransaction) {
        if clientTransactions[transaction.key] === transaction {
            clientTransactions.removeValue(forKey: transaction.key)
        }
    }

    /// Stops every transaction and its timers (at the very end of shutdown).
    public func close() {
        eventLoop.preconditionInEventLoop()
        for transaction in Array(serverTransactions.values) { transaction.terminate() }
        for transaction in Array(clientTransactions.values) { transaction.terminate() }
        acceptedInvites.removeAll()
        pendingByOrigin.removeAll()
    }
}
