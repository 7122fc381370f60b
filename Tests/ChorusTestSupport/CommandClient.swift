import ChorusSIP
import NIOCore

/// Sends MESSAGE commands to Chorus the way an operator's client would: text/plain over UDP,
/// answering the 401 challenge with digest credentials, and collecting the reply MESSAGE Chorus
/// sends back (answering it 200). Every wait is bounded.
public final class CommandClient: @unchecked Sendable {
    public let sip: RawSIPClient
    public var username: String?
    public var password: String?
    /// Digest algorithm to answer with (the challenge offers SHA-256 and MD5).
    public var algorithm: DigestAlgorithm = .sha256
    private let fromTag = SIPToken.tag()

    public struct Outcome: Sendable {
        /// The final answer to the MESSAGE (after any challenge).
        public let status: Int
        public let reason: String
        /// The reply MESSAGE's body and Content-Type, if one came.
        public let reply: String?
        public let replyType: String?
        /// The 401 challenges seen (WWW-Authenticate values).
        public let challenges: [String]
    }

    public init(server: SocketAddress, username: String? = nil, password: String? = nil) async throws {
        sip = try await RawSIPClient.connect(.udp, to: server)
        self.username = username
        self.password = password
    }

    func message(to user: String, body: String, cseq: Int, callID: String, authorization: String?) -> String {
        let uri = "sip:\(user)@\(sip.server.ipAddress ?? "127.0.0.1"):\(sip.server.port ?? 5060)"
        var lines = [
            "MESSAGE \(uri) SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:\(sip.localPort);branch=\(SIPToken.branch());rport",
            "Max-Forwards: 70",
            "From: <sip:\(username ?? "anonymous")@127.0.0.1>;tag=\(fromTag)",
            "To: <\(uri)>",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) MESSAGE",
            "Contact: <sip:\(username ?? "anonymous")@127.0.0.1:\(sip.localPort)>",
            "Content-Type: text/plain",
        ]
        if let authorization { lines.append("Authorization: \(authorization)") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Sends `command` to `sip:USER@server` and waits for the answer and, on 2xx, the reply MESSAGE.
    public func send(_ command: String, to user: String = "chorus", answerChallenge: Bool = true) async throws -> Outcome {
        let callID = SIPToken.callID()
        var cseq = 1
        var challenges: [String] = []
        try await sip.send(message(to: user, body: command, cseq: cseq, callID: callID, authorization: nil))
        var response = try await finalResponse()
        while response.statusCode == 401, answerChallenge, let username, let password, challenges.count < 4 {
            let offered = response.headers.fieldValues("WWW-Authenticate")
            challenges += offered
            guard let challenge = offered.compactMap({ try? SIPDigestChallenge(parsing: $0) }).first(where: { $0.effectiveAlgorithm == algorithm })
            else { break }
            let uri = "sip:\(user)@\(sip.server.ipAddress ?? "127.0.0.1"):\(sip.server.port ?? 5060)"
            let credentials = try SIPDigestCredentials(answering: challenge, method: .message, uri: uri, username: username, password: password)
            cseq += 1
            try await sip.send(message(to: user, body: command, cseq: cseq, callID: callID, authorization: credentials.serialized))
            response = try await finalResponse()
        }
        if response.statusCode == 401 { challenges += response.headers.fieldValues("WWW-Authenticate") }
        var reply: (String, String?)?
        if (200..<300).contains(response.statusCode) { reply = try await replyMessage() }
        return Outcome(
            status: response.statusCode, reason: response.reasonPhrase, reply: reply?.0, replyType: reply?.1, challenges: challenges)
    }

    private func finalResponse() async throws -> SIPResponse {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            guard let bytes = await sip.receive(timeout: deadline - ContinuousClock.now) else { break }
            guard case .response(let response) = try SIPMessageParser.parse(bytes, framing: .datagram), !response.isProvisional,
                response.cseq.method == .message
            else { continue }
            return response
        }
        throw RawSIPClient.TimeoutError()
    }

    /// Waits for Chorus's reply MESSAGE, answers it 200 and returns its body and type.
    public func replyMessage(timeout: Duration = .seconds(5)) async throws -> (String, String?)? {
        guard let text = try await sip.answerNextRequest("MESSAGE", timeout: timeout),
            case .request(let request) = try SIPMessageParser.parse(Array(text.utf8), framing: .datagram)
        else { return nil }
        return (String(decoding: request.body, as: UTF8.self), request.headers["Content-Type"])
    }

    public func close() async { await sip.close() }
}
