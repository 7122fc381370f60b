import ChorusSIP
import Foundation
import NIOCore

/// A SIP client for event packages (RFC 6665) and REFER outside a dialog: it sends SUBSCRIBE or
/// REFER to `sip:USER@server` over UDP, answers 401 challenges with digest credentials (MD5),
/// keeps the dialog the 2xx makes (refreshes go inside it), and answers the NOTIFYs Chorus sends.
/// Every wait is bounded.
public final class EventSubscriber: @unchecked Sendable {
    public let sip: RawSIPClient
    public var username: String?
    public var password: String?
    public let user: String
    private let fromTag = SIPToken.tag()
    private let callID = SIPToken.callID()
    private var cseq: UInt32 = 0
    /// Set by the 2xx: the dialog's remote tag and target.
    public private(set) var toTag: String?
    private var remoteTarget: String?

    /// One NOTIFY, as received.
    public struct Notification: Sendable {
        public let request: SIPRequest
        public var body: String { String(decoding: request.body, as: UTF8.self) }
        public var subscriptionState: String { request.headers["Subscription-State"] ?? "" }
        public var event: String { request.headers["Event"] ?? "" }
        public var isTerminated: Bool { subscriptionState.lowercased().hasPrefix("terminated") }
    }

    public init(server: SocketAddress, user: String, username: String? = nil, password: String? = nil) async throws {
        sip = try await RawSIPClient.connect(.udp, to: server)
        self.user = user
        self.username = username
        self.password = password
    }

    private var requestURI: String { "sip:\(user)@\(sip.server.ipAddress ?? "127.0.0.1"):\(sip.server.port ?? 5060)" }

    /// Sends `method` (in the dialog once there is one) with `headers`; answers challenges;
    /// returns the final response. A 2xx outside a dialog makes the dialog.
    public func send(_ method: String, headers: [String]) async throws -> SIPResponse {
        var authorization: String?
        for _ in 0..<3 {
            cseq += 1
            let uri = remoteTarget ?? requestURI
            var lines = [
                "\(method) \(uri) SIP/2.0",
                "Via: SIP/2.0/UDP 127.0.0.1:\(sip.localPort);branch=\(SIPToken.branch());rport",
                "Max-Forwards: 70",
                "From: <sip:\(username ?? "watcher")@127.0.0.1>;tag=\(fromTag)",
                "To: <\(requestURI)>" + (toTag.map { ";tag=\($0)" } ?? ""),
                "Call-ID: \(callID)",
                "CSeq: \(cseq) \(method)",
                "Contact: <sip:\(username ?? "watcher")@127.0.0.1:\(sip.localPort)>",
            ] + headers
            if let authorization { lines.append("Authorization: \(authorization)") }
            lines.append("Content-Length: 0")
            try await sip.send(lines.joined(separator: "\r\n") + "\r\n\r\n")
            let response = try await finalResponse(cseq: cseq)
            if response.statusCode == 401, let username, let password,
                let challenge = response.headers.fieldValues("WWW-Authenticate").compactMap({ try? SIPDigestChallenge(parsing: $0) })
                    .first(where: { $0.effectiveAlgorithm == .md5 })
            {
                authorization = try SIPDigestCredentials(
                    answering: challenge, method: SIPMethod(method), uri: uri, username: username, password: password
                ).serialized
                continue
            }
            if response.isSuccess, toTag == nil {
                toTag = response.to.tag
                remoteTarget = response.headers.values("Contact").first.flatMap { try? SIPNameAddress(parsing: $0) }.map { "\($0.uri)" }
            }
            return response
        }
        throw RawSIPClient.TimeoutError()
    }

    /// SUBSCRIBE with `Event: conference` (or `event`) and `expires`.
    public func subscribe(event: String = "conference", expires: Int) async throws -> SIPResponse {
        try await send("SUBSCRIBE", headers: ["Event: \(event)", "Expires: \(expires)", "Accept: application/conference-info+xml"])
    }

    private var stash: [String] = []

    private func finalResponse(cseq: UInt32) async throws -> SIPResponse {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard let bytes = await sip.receive(timeout: deadline - ContinuousClock.now) else { break }
            let text = String(buffer: bytes)
            guard text.hasPrefix("SIP/2.0 ") else {
                stash.append(text)  // a NOTIFY that overtook the response
                continue
            }
            guard case .response(let response) = try SIPMessageParser.parse(bytes, framing: .datagram), !response.isProvisional,
                response.cseq.sequence == cseq
            else { continue }
            return response
        }
        throw RawSIPClient.TimeoutError()
    }

    /// The next NOTIFY, answered `status`; nil when none came within `timeout`.
    public func nextNotify(status: String = "200 OK", timeout: Duration = .seconds(5)) async throws -> Notification? {
        let text: String
        if !stash.isEmpty {
            text = stash.removeFirst()
        } else {
            guard let received = await sip.nextRequest("NOTIFY", timeout: timeout) else { return nil }
            text = received
        }
        try await sip.respond(to: text, status: status)
        guard case .request(let request) = try SIPMessageParser.parse(Array(text.utf8), framing: .datagram) else { return nil }
        return Notification(request: request)
    }

    public func close() async { await sip.close() }
}
