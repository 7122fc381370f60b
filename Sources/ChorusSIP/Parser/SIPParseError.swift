/// Bounds that keep a hostile peer from making the parser do unbounded work.
public struct SIPParserLimits: Sendable, Hashable {
    /// Largest whole message (header section and body) accepted.
    public var maxMessageSize: Int = 65_535
    /// Most header lines (after unfolding) accepted in one message.
    public var maxHeaderCount: Int = 256
    /// Largest header section (start line, headers and the blank line) accepted.
    public var maxHeaderSectionSize: Int = 16_384

    public init() {}

    public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 256, maxHeaderSectionSize: Int = 16_384) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderSectionSize = maxHeaderSectionSize
    }
}

/// How the message arrived, which decides the Content-Length rules (RFC 3261 §18.3).
public enum SIPFraming: Sendable {
    /// UDP: the body ends at Content-Length; bytes past it are discarded; a missing Content-Length means
    /// "to the end of the datagram"; a Content-Length larger than the datagram is an error.
    case datagram
    /// TCP/TLS: the slice given is exactly one framed message (see ``SIPStreamFramer``).
    case stream
}

/// Why a message could not be parsed, with what is needed to answer a request with 400.
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in the terms a UAS answers with.
    public enum Kind: Sendable, Hashable {
        /// Syntax or validation error: answer 400 Bad Request.
        case malformed
        /// A well-formed SIP version other than 2.0: answer 505 Version Not Supported.
        case versionNotSupported
        /// A size or count limit of ``SIPParserLimits`` was exceeded: answer 513 Message Too Large.
        case tooLarge
    }

    /// One line, safe to use as a reason phrase (no CR/LF, printable ASCII).
    public var reason: String
    public var kind: Kind
    /// When the failed message was a request whose Via, From, To, Call-ID and CSeq could be read,
    /// the raw header lines needed to build a response. Nil for responses and unreadable messages.
    public var salvage: SIPRequestSalvage?

    public init(reason: String, kind: Kind = .malformed, salvage: SIPRequestSalvage? = nil) {
        self.reason = reason
        self.kind = kind
        self.salvage = salvage
    }

    /// The status code a UAS answers a request failing this way with: 400, 505 or 513.
    public var suggestedStatusCode: Int {
        switch kind {
        case .malformed: 400
        case .versionNotSupported: 505
        case .tooLarge: 513
        }
    }

    public var description: String { reason }

    /// The same error with `context: ` put in front of the reason (e.g. "Malformed From header: ...").
    func prefixed(_ context: String) -> SIPParseError {
        SIPParseError(reason: context + ": " + reason, kind: kind, salvage: salvage)
    }
}

/// The parts of an unparseable request that a 400 response copies (RFC 3261 §8.2.6.2).
public struct SIPRequestSalvage: Sendable, Hashable {
    public var method: String
    /// The topmost Via, parsed (a response cannot be routed without it).
    public var topVia: SIPVia
    /// Every Via value, verbatim.
    public var viaValues: [String]
    public var from: String
    public var to: String
    public var callID: String
    public var cseq: String

    public init(
        method: String, topVia: SIPVia, viaValues: [String], from: String, to: String, callID: String, cseq: String
    ) {
        self.method = method
        self.topVia = topVia
        self.viaValues = viaValues
        self.from = from
        self.to = to
        self.callID = callID
        self.cseq = cseq
    }

    /// The wire bytes of a `400 Bad Request` answering the failed request (RFC 3261 §8.2.6):
    /// Via, From, Call-ID and CSeq copied verbatim, To copied with `toTag` added when it has no tag,
    /// `Content-Length: 0`. The reason phrase is reduced to printable ASCII on one line.
    public func badRequestResponse(reason: String, toTag: String) -> [UInt8] {
        response(statusCode: 400, reason: reason, toTag: toTag)
    }

    /// Like ``badRequestResponse(reason:toTag:)`` with any final status code (e.g. 505 or 513).
    public func response(statusCode: Int, reason: String, toTag: String) -> [UInt8] {
        let code = (100...699).contains(statusCode) ? statusCode : 400
        var phrase = Self.sanitizedReason(reason)
        if phrase.isEmpty { phrase = SIPResponse.defaultReason(for: code) }
        var out = "SIP/2.0 \(code) \(phrase)\r\n"
        for value in viaValues { out += "Via: " + value + "\r\n" }
        out += "From: " + from + "\r\n"
        out += "To: " + to
        let tag = String(toTag.unicodeScalars.filter { $0.isASCII && Byte.isToken(UInt8($0.value)) }.map(Character.init))
        if !tag.isEmpty, !Self.hasTag(to) { out += ";tag=" + tag }
        out += "\r\nCall-ID: " + callID + "\r\nCSeq: " + cseq + "\r\nContent-Length: 0\r\n\r\n"
        return Array(out.utf8)
    }

    /// Printable ASCII only, no CR/LF, whitespace collapsed, at most 120 bytes.
    static func sanitizedReason(_ reason: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(reason.utf8.count, 120))
        for scalar in reason.unicodeScalars {
            if bytes.count >= 120 { break }
            let value = scalar.value
            let mapped: UInt8 = (value > 0x20 && value < 0x7F) ? UInt8(value) : (value >= 0x80 ? UInt8(ascii: "?") : Byte.space)
            if mapped == Byte.space, bytes.isEmpty || bytes.last == Byte.space { continue }
            bytes.append(mapped)
        }
        while bytes.last == Byte.space { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a raw To value already carries a `tag` header parameter.
    static func hasTag(_ to: String) -> Bool {
        if let address = try? SIPNameAddress(parsing: to) { return address.tag != nil }
        // Unparseable To: look for ";tag=" after the last ">" (or anywhere, for addr-spec form).
        let lower = to.lowercased()
        let tail = lower.lastIndex(of: ">").map { lower[$0...] } ?? lower[...]
        return tail.contains(";tag=")
    }
}
