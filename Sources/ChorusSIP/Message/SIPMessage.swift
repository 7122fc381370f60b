/// A SIP request (RFC 3261 §7.1). The headers every request must carry are typed fields, parsed
/// once by the parser; the rest are in ``headers``. Content-Length is derived from ``body`` when
/// serialising.
public struct SIPRequest: Hashable, Sendable {
    public var method: SIPMethod
    public var uri: SIPURI
    /// Via values, topmost first.
    public var via: [SIPVia]
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    public var callID: String
    public var cseq: SIPCSeq
    public var maxForwards: Int?
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(
        method: SIPMethod, uri: SIPURI, via: [SIPVia], from: SIPNameAddress, to: SIPNameAddress,
        callID: String, cseq: SIPCSeq, maxForwards: Int? = 70, headers: SIPHeaders = SIPHeaders(),
        body: [UInt8] = []
    ) {
        self.method = method
        self.uri = uri
        self.via = via
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.maxForwards = maxForwards
        self.headers = headers
        self.body = body
    }

    /// The branch of the topmost Via, which names the transaction (RFC 3261 §17.2.3).
    public var topBranch: String? { via.first?.branch }
}

/// A SIP response (RFC 3261 §7.2).
public struct SIPResponse: Hashable, Sendable {
    public var statusCode: Int
    public var reasonPhrase: String
    public var via: [SIPVia]
    public var from: SIPNameAddress
    public var to: SIPNameAddress
    public var callID: String
    public var cseq: SIPCSeq
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(
        statusCode: Int, reasonPhrase: String? = nil, via: [SIPVia], from: SIPNameAddress, to: SIPNameAddress,
        callID: String, cseq: SIPCSeq, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []
    ) {
        self.statusCode = statusCode
        self.reasonPhrase = reasonPhrase ?? SIPResponse.defaultReason(for: statusCode)
        self.via = via
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
        self.headers = headers
        self.body = body
    }

    public var isProvisional: Bool { statusCode < 200 }
    public var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// The reason phrases of RFC 3261 §21 and the extensions Chorus answers with.
    public static func defaultReason(for code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 181: "Call Is Being Forwarded"
        case 182: "Queued"
        case 183: "Session Progress"
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 416: "Unsupported URI Scheme"
        case 420: "Bad Extension"
        case 480: "Temporarily Unavailable"
        case 481: "Call/Transaction Does Not Exist"
        case 482: "Loop Detected"
        case 483: "Too Many Hops"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 488: "Not Acceptable Here"
        case 491: "Request Pending"
        case 500: "Server Internal Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "Version Not Supported"
        case 513: "Message Too Large"
        case 603: "Decline"
        default: "Unknown"
        }
    }
}

/// Either kind of SIP message.
public enum SIPMessage: Hashable, Sendable {
    case request(SIPRequest)
    case response(SIPResponse)

    public var callID: String {
        switch self {
        case .request(let r): r.callID
        case .response(let r): r.callID
        }
    }
}
