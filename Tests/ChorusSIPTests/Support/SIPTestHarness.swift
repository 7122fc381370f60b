import ChorusSIP
import Logging
import NIOCore
import NIOEmbedded
import XCTest

/// A transport that records what the endpoint sends instead of using sockets.
final class RecordingTransport: SIPTransport, @unchecked Sendable {
    struct Sent {
        var bytes: ByteBuffer
        var peer: SIPPeer
        var message: SIPMessage? { try? SIPMessageParser.parse(bytes, framing: .datagram) }
        var response: SIPResponse? { if case .response(let r) = message { r } else { nil } }
        var request: SIPRequest? { if case .request(let r) = message { r } else { nil } }
    }
    var sent: [Sent] = []
    var responses: [SIPResponse] { sent.compactMap(\.response) }
    var requests: [SIPRequest] { sent.compactMap(\.request) }

    func send(_ bytes: ByteBuffer, to peer: SIPPeer) { sent.append(Sent(bytes: bytes, peer: peer)) }
    func advertisedAddress(kind: SIPTransportKind, toward remote: SocketAddress) -> (host: String, port: Int) {
        ("198.51.100.1", 5060)
    }
    func clear() { sent.removeAll() }
}

/// A user-agent delegate that records events and answers as the test tells it to.
final class RecordingApplication: SIPUserAgentDelegate {
    enum InvitePolicy { case accept, reject(Int), leavePending }
    var invitePolicy: InvitePolicy = .accept
    var invites: [SIPIncomingInvite] = []
    var cancelled: [SIPIncomingInvite] = []
    var confirmed: [SIPDialog] = []
    var ended: [(SIPDialog, SIPDialogEndReason)] = []
    var inDialogRequests: [SIPRequest] = []
    var outOfDialogRequests: [SIPRequest] = []

    func userAgent(_ userAgent: SIPUserAgent, didReceiveInvite invite: SIPIncomingInvite) {
        invites.append(invite)
        switch invitePolicy {
        case .accept: invite.accept(body: Array("v=0\r\n".utf8))
        case .reject(let code): invite.reject(code)
        case .leavePending: break
        }
    }
    func userAgent(_ userAgent: SIPUserAgent, didCancel invite: SIPIncomingInvite) { cancelled.append(invite) }
    func userAgent(_ userAgent: SIPUserAgent, dialogConfirmed dialog: SIPDialog, ack: SIPRequest) { confirmed.append(dialog) }
    func userAgent(_ userAgent: SIPUserAgent, dialog: SIPDialog, didReceive request: SIPRequest, transaction: SIPServerTransaction) {
        inDialogRequests.append(request)
        transaction.respond(200)
    }
    func userAgent(_ userAgent: SIPUserAgent, didReceiveOutOfDialog request: SIPRequest, transaction: SIPServerTransaction) {
        outOfDialogRequests.append(request)
        transaction.respond(200)
    }
    func userAgent(_ userAgent: SIPUserAgent, dialogEnded dialog: SIPDialog, reason: SIPDialogEndReason) {
        ended.append((dialog, reason))
    }
}

/// An endpoint, user agent and application on an embedded event loop whose clock the test drives.
final class SIPTestHarness {
    let loop = EmbeddedEventLoop()
    let transport = RecordingTransport()
    let endpoint: SIPEndpoint
    let userAgent: SIPUserAgent
    let application = RecordingApplication()
    let timers = SIPTimerSettings()

    /// The phone: 192.0.2.10, sending from port 5062.
    let phone = try! SocketAddress(ipAddress: "192.0.2.10", port: 5062)

    init(configuration: SIPEndpointConfiguration = SIPEndpointConfiguration()) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        endpoint = SIPEndpoint(eventLoop: loop, transport: transport, configuration: configuration, logger: logger)
        userAgent = SIPUserAgent(endpoint: endpoint)
        userAgent.delegate = application
    }

    func receive(_ text: String, kind: SIPTransportKind = .udp, from: SocketAddress? = nil) {
        endpoint.receive(ByteBuffer(string: text), from: SIPPeer(kind: kind, remote: from ?? phone))
    }

    func advance(_ duration: Duration) {
        let (seconds, atto) = duration.components
        loop.advanceTime(by: .nanoseconds(seconds * 1_000_000_000 + atto / 1_000_000_000))
    }

    /// Sends a request from Chorus to the phone in a client transaction; returns it and its events so far.
    func sendRequest(_ method: SIPMethod, kind: SIPTransportKind = .udp) -> (SIPClientTransaction, () -> [SIPClientTransactionEvent]) {
        let events = EventLog()
        let request = SIPRequest.outOfDialog(
            method, to: SIPURI(user: "bob", host: "192.0.2.10", port: 5062), from: SIPNameAddress(uri: SIPURI(user: "4200", host: "conf.example.com")))
        let transaction = endpoint.sendRequest(request, to: SIPPeer(kind: kind, remote: phone)) { events.events.append($0) }
        return (transaction, { events.events })
    }

    /// The phone's answer to `request`, as text.
    func responseText(_ code: Int, to request: SIPRequest) -> String {
        "SIP/2.0 \(code) Whatever\r\nVia: \(request.via[0])\r\nFrom: \(request.from)\r\nTo: \(request.to);tag=bob1\r\n"
            + "Call-ID: \(request.callID)\r\nCSeq: \(request.cseq)\r\nContent-Length: 0\r\n\r\n"
    }

    /// Responses sent with this status code.
    func responses(_ code: Int) -> [SIPResponse] { transport.responses.filter { $0.statusCode == code } }
}

/// Raw request text in the form phones send, with the parts tests vary.
enum SIPText {
    static func request(
        _ method: String, uri: String = "sip:4200@conf.example.com", branch: String = "z9hG4bK776asdhds",
        via: String? = nil, fromTag: String? = "1928301774", toTag: String? = nil, callID: String = "a84b4c76e66710@pc33",
        cseq: Int = 314159, cseqMethod: String? = nil, maxForwards: Int = 70, extraHeaders: [String] = [],
        body: String = "", contentType: String? = nil
    ) -> String {
        var lines = ["\(method) \(uri) SIP/2.0"]
        lines.append("Via: " + (via ?? "SIP/2.0/UDP 192.0.2.10:5062;branch=\(branch);rport"))
        lines.append("Max-Forwards: \(maxForwards)")
        lines.append("To: <sip:4200@conf.example.com>" + (toTag.map { ";tag=\($0)" } ?? ""))
        lines.append("From: Alice <sip:alice@example.com>" + (fromTag.map { ";tag=\($0)" } ?? ""))
        lines.append("Call-ID: \(callID)")
        lines.append("CSeq: \(cseq) \(cseqMethod ?? method)")
        lines.append("Contact: <sip:alice@192.0.2.10:5062>")
        lines.append(contentsOf: extraHeaders)
        if let contentType { lines.append("Content-Type: \(contentType)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}

/// Client transaction events collected on the embedded loop.
final class EventLog: @unchecked Sendable {
    var events: [SIPClientTransactionEvent] = []
}

/// A flag set from a future callback on the embedded loop (same thread as the test).
final class Flag: @unchecked Sendable {
    var isSet = false
}
