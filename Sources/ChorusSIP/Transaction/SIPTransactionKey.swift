/// What identifies a server transaction (RFC 3261 §17.2.3): the top Via branch with the magic cookie,
/// its sent-by, and the method (ACK matches its INVITE). Requests from pre-RFC 3261 clients, whose
/// branch lacks the cookie, fall back to the RFC 2543 fields.
enum SIPServerTransactionKey: Hashable, Sendable {
    case branch(branch: String, sentBy: String, method: String)
    case legacy(callID: String, cseq: UInt32, fromTag: String, uri: String, topVia: String, method: String)

    /// The key of `request`'s transaction; for ACK it is the key of the INVITE it acknowledges.
    init?(_ request: SIPRequest) {
        let method = request.method == .ack ? SIPMethod.invite.rawValue : request.method.rawValue
        self.init(request, method: method)
    }

    /// The key of the INVITE transaction a CANCEL refers to (RFC 3261 §9.2).
    init?(invitePendingCancel cancel: SIPRequest) {
        self.init(cancel, method: SIPMethod.invite.rawValue)
    }

    private init?(_ request: SIPRequest, method: String) {
        guard let top = request.via.first else { return nil }
        if let branch = top.branch, branch.hasPrefix(SIPVia.magicCookie) {
            let sentBy = "\(top.host.lowercased()):\(top.port ?? 0)"
            self = .branch(branch: branch, sentBy: sentBy, method: method)
        } else {
            self = .legacy(
                callID: request.callID, cseq: request.cseq.sequence, fromTag: request.from.tag ?? "",
                uri: request.uri.description, topVia: top.description, method: method)
        }
    }
}

/// What identifies a client transaction (RFC 3261 §17.1.3): the branch Chorus generated and the CSeq
/// method of the response.
struct SIPClientTransactionKey: Hashable, Sendable {
    var branch: String
    var method: String
}

/// Identifies the 2xx response an ACK acknowledges (RFC 3261 §13.3.1.4: the ACK for a 2xx is its own
/// transaction and is matched by dialog and CSeq).
struct SIPAcceptedInviteKey: Hashable, Sendable {
    var callID: String
    var cseq: UInt32
    var localTag: String
}

/// Random tokens for tags, branches and Call-IDs.
public enum SIPToken {
    /// 16 hex digits from the system's secure generator.
    public static func random(bytes: Int = 8) -> String {
        var generator = SystemRandomNumberGenerator()
        var out = ""
        out.reserveCapacity(bytes * 2)
        for _ in 0..<bytes {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return out
    }

    public static func branch() -> String { SIPVia.magicCookie + random(bytes: 10) }
    /// A From/To tag.
    public static func tag() -> String { random(bytes: 6) }
    /// A Call-ID for a request outside any dialog.
    public static func callID() -> String { random(bytes: 12) }
}
