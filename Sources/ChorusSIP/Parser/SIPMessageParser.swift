import NIOCore

// PLACEHOLDER API, to be replaced by the real parser (owner: parser work).

/// Bounds that keep a hostile peer from making the parser do unbounded work.
public struct SIPParserLimits: Sendable, Hashable {
    public var maxMessageSize: Int = 65_535
    public var maxHeaderCount: Int = 256
    public var maxHeaderSectionSize: Int = 16_384
    public init() {}
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
public struct SIPParseError: Error, Sendable, CustomStringConvertible {
    /// One line, safe to use as a reason phrase (no CR/LF, printable ASCII).
    public enum Kind: Sendable, Equatable { case malformed, versionNotSupported, tooLarge }
    public var kind: Kind = .malformed
    public var reason: String
    /// When the failed message was a request whose Via, From, To, Call-ID and CSeq could be read,
    /// the raw header lines needed to build a response. Nil for responses and unreadable messages.
    public var salvage: SIPRequestSalvage?
    public init(reason: String, salvage: SIPRequestSalvage? = nil) {
        self.reason = reason
        self.salvage = salvage
    }
    public var description: String { reason }
    public var suggestedStatusCode: Int { 400 }
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
    public func response(statusCode: Int, reason: String, toTag: String) -> [UInt8] { [] }
}

public enum SIPMessageParser {
    /// Parses one whole message.
    public static func parse(
        _ bytes: ByteBuffer, framing: SIPFraming, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> SIPMessage {
        fatalError("parser not implemented yet")
    }

    /// Parses one whole message from bytes.
    public static func parse(
        _ bytes: [UInt8], framing: SIPFraming, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> SIPMessage {
        try parse(ByteBuffer(bytes: bytes), framing: framing, limits: limits)
    }
}

/// Splits a TCP/TLS byte stream into whole SIP messages (RFC 3261 §18.3): skips CRLF keep-alives
/// (RFC 5626 §3.5.1), finds the end of the header section, requires Content-Length, and bounds sizes.
public enum SIPStreamFramer {
    /// Removes and returns one whole message from the front of `buffer`, or nil when more bytes are
    /// needed. Throws when the stream can not be framed (the connection should then be closed).
    public static func nextMessage(
        from buffer: inout ByteBuffer, limits: SIPParserLimits = SIPParserLimits()
    ) throws(SIPParseError) -> ByteBuffer? {
        fatalError("framer not implemented yet")
    }
}

extension SIPNameAddress {
    public init(parsing text: some StringProtocol) throws(SIPParseError) { fatalError("placeholder") }
}
extension SIPURI {
    public init(parsing text: some StringProtocol) throws(SIPParseError) { fatalError("placeholder") }
}
